// check's gauges, pushed to the group <job>/instance/<instance> (PUT: replaces the group, so no
// value from an earlier run lingers). Pure.
import type { MetricFamily } from "@regguard/pushgateway";
import { TAG_STATES } from "./tag-sync.js";
import type { SyncTally } from "./tally.js";

export const METRIC = {
  tags: "registry_sync_tags",
  bytesMissing: "registry_sync_bytes_missing",
  lastRun: "registry_sync_last_run_timestamp_seconds",
} as const;

export function syncMetrics(t: SyncTally, finishedAt: number): MetricFamily[] {
  return [
    {
      name: METRIC.tags,
      help: "Source tags by state at the target in the last check: in_parity, missing, drifted (another digest), broken (a child or blob missing). Every state is always present.",
      type: "gauge",
      samples: TAG_STATES.map((state) => ({ labels: { state }, value: t.states[state] })),
    },
    {
      name: METRIC.bytesMissing,
      help: "Blob bytes the target lacks for the missing and broken tags of the last check.",
      type: "gauge",
      samples: [{ value: t.bytesMissing }],
    },
    {
      name: METRIC.lastRun,
      help: "Unix time the last check finished, whatever its outcome.",
      type: "gauge",
      samples: [{ value: Math.floor(finishedAt / 1000) }],
    },
  ];
}
