// The run's counts, from the tag outcomes. Pure.
import { TAG_STATES, type TagAction, type TagOutcome, type TagState } from "./tag-sync.js";

export interface SyncTally {
  repositories: number;
  collisions: number;
  tags: number;
  states: Record<TagState, number>;
  actions: Partial<Record<TagAction, number>>;
  bytesMissing: number;
  bytesUploaded: number;
  blobsUploaded: number;
  blobsMounted: number;
  manifestsPushed: number;
  /** The source could not be listed: nothing below is complete. */
  inventoryError: string | undefined;
  stopped: boolean;
}

export function emptyTally(): SyncTally {
  return {
    repositories: 0,
    collisions: 0,
    tags: 0,
    states: { in_parity: 0, missing: 0, drifted: 0, broken: 0 },
    actions: {},
    bytesMissing: 0,
    bytesUploaded: 0,
    blobsUploaded: 0,
    blobsMounted: 0,
    manifestsPushed: 0,
    inventoryError: undefined,
    stopped: false,
  };
}

export function record(t: SyncTally, o: TagOutcome, write: boolean): void {
  t.tags++;
  if (o.state) t.states[o.state]++;
  t.actions[o.action] = (t.actions[o.action] ?? 0) + 1;
  t.bytesMissing += o.tree.bytesMissing;
  t.bytesUploaded += o.tree.bytesUploaded;
  t.blobsUploaded += o.tree.blobsUploaded;
  t.blobsMounted += o.tree.blobsMounted;
  if (write) t.manifestsPushed += o.tree.manifestsMissing;
}

export const count = (t: SyncTally, a: TagAction): number => t.actions[a] ?? 0;

/** Tags not in parity, for the summary. */
export function notInParity(t: SyncTally): number {
  return TAG_STATES.filter((s) => s !== "in_parity").reduce((n, s) => n + t.states[s], 0);
}
