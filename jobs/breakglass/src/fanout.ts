// One archive stream, many destinations: every chunk goes to every sink that
// is still healthy. A sink that fails is aborted and dropped; the others go
// on (field notes: one failing copy must not cost the others). Chunks are
// coalesced so files and S3 parts see large writes.
import { createHash } from "node:crypto";
import { Writable } from "node:stream";
import { AllDestinationsFailedError, reason } from "./errors.js";

/** Where archive bytes go; every method may reject and is then not called again (except abort). */
export interface Sink {
  readonly label: string;
  write(chunk: Buffer): Promise<void>;
  /** All bytes written: flush and make them durable. */
  end(): Promise<void>;
  /** Discard what was written; the destination's previous state stays. */
  abort(): Promise<void>;
}

/** What was streamed: the digest every destination verifies against. */
export interface ArchiveResult { sha256: string; size: number }

/** Bytes handed to sinks at once. */
export const COALESCE_BYTES = 1024 * 1024;

/** A Writable that copies to every healthy sink and hashes what it passes on. */
export class Fanout<S extends Sink = Sink> extends Writable {
  readonly failures = new Map<S, unknown>();
  private readonly aborts = new Map<S, Promise<void>>();
  private active: S[];
  private readonly hash = createHash("sha256");
  private size = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private finished = false;

  constructor(sinks: readonly S[], private readonly onFailure: (sink: S, error: unknown) => void = () => undefined) {
    super({ highWaterMark: COALESCE_BYTES });
    this.active = [...sinks];
  }

  /** Sinks that received every byte and ended cleanly. */
  get healthy(): readonly S[] {
    return this.active;
  }

  result(): ArchiveResult {
    return { sha256: this.hash.copy().digest("hex"), size: this.size };
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < COALESCE_BYTES) return done();
    this.flush().then(() => done(), done);
  }

  override _final(done: (e?: Error | null) => void): void {
    this.flush()
      .then(() => Promise.all(this.active.map((s) => s.end().catch((e: unknown) => this.fail(s, e)))))
      .then(() => {
        this.finished = true;
        done(this.active.length === 0 ? this.allFailed() : null);
      }, done);
  }

  override _destroy(error: Error | null, done: (e?: Error | null) => void): void {
    if (this.finished && !error) return done(null);
    const sinks = this.active;
    this.active = [];
    Promise.all(sinks.map((s) => this.fail(s, error ?? new Error("archive stream stopped")))).then(() => done(error), () => done(error));
  }

  /** Mark a sink failed from outside (e.g. the source broke): abort it. */
  fail(sink: S, error: unknown): Promise<void> {
    const pending = this.aborts.get(sink);
    if (pending) return pending; // every caller waits for the same cleanup
    this.failures.set(sink, error);
    this.active = this.active.filter((s) => s !== sink);
    this.onFailure(sink, error);
    const abort = sink.abort().catch(() => undefined);
    this.aborts.set(sink, abort);
    return abort;
  }

  private async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const chunk = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.hash.update(chunk);
    this.size += chunk.length;
    await Promise.all(this.active.map((s) => s.write(chunk).catch((e: unknown) => this.fail(s, e))));
    if (this.active.length === 0) throw this.allFailed();
  }

  private allFailed(): AllDestinationsFailedError {
    const why = [...this.failures].map(([s, e]) => `${s.label}: ${reason(e)}`).join("; ");
    return new AllDestinationsFailedError(`every destination failed: ${why || "none was writable"}`);
  }
}
