// One archive stream, many destinations: every chunk goes to every sink that
// is still healthy. A sink that fails is aborted and dropped; the others go
// on (docs/design.md, B3: one failing copy must not cost the others). Chunks are
// coalesced into a few reused buffers so files and S3 parts see large writes,
// and several chunks are in flight at once so disk, hashing and the network
// overlap instead of taking turns.
import { Writable } from "node:stream";
import { AllDestinationsFailedError, reason } from "./errors.js";
import { StreamHash } from "./stream-hash.js";

/** Where archive bytes go; every method may reject and is then not called again (except abort). */
export interface Sink {
  readonly label: string;
  /** Calls come one at a time, in order; `chunk` is reused once the promise resolves. */
  write(chunk: Buffer): Promise<void>;
  /** All bytes written: flush and make them durable. */
  end(): Promise<void>;
  /** Discard what was written; the destination's previous state stays. */
  abort(): Promise<void>;
}

/** What was streamed: the digest every destination verifies against. */
export interface ArchiveResult {
  sha256: string;
  size: number;
}

/** Bytes handed to sinks at once. */
export const COALESCE_BYTES = 1024 * 1024;
/** Chunks in flight: enough to overlap, few enough to keep memory flat. */
const DEPTH = 4;

/** A Writable that copies to every healthy sink and hashes what it passes on. */
export class Fanout<S extends Sink = Sink> extends Writable {
  readonly failures = new Map<S, unknown>();
  private readonly aborts = new Map<S, Promise<void>>();
  private active: S[];
  private readonly hash = new StreamHash();
  private size = 0;
  private readonly buffers = Array.from({ length: DEPTH }, () => Buffer.allocUnsafe(COALESCE_BYTES));
  private readonly inflight: Array<Promise<void>> = Array.from({ length: DEPTH }, () => Promise.resolve());
  private current = 0;
  private fill = 0;
  /** Per-sink and hash queues: each sees its chunks one at a time, in order. */
  private readonly queues = new Map<S | "hash", Promise<void>>();
  private finished = false;

  constructor(
    sinks: readonly S[],
    private readonly onFailure: (sink: S, error: unknown) => void = () => undefined,
  ) {
    super({ highWaterMark: COALESCE_BYTES });
    this.active = [...sinks];
  }

  /** Sinks that received every byte and ended cleanly. */
  get healthy(): readonly S[] {
    return this.active;
  }

  /** The digest of everything written; call once, after the stream finished. */
  async result(): Promise<ArchiveResult> {
    const { sha256 } = await this.hash.digest();
    return { sha256, size: this.size };
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    this.take(chunk).then(() => done(), done);
  }

  override _final(done: (e?: Error | null) => void): void {
    this.dispatch()
      .then(() => Promise.all(this.inflight))
      .then(() => this.check())
      .then(() => Promise.all(this.active.map((s) => s.end().catch((e: unknown) => this.fail(s, e)))))
      .then(() => {
        this.finished = true;
        done(this.active.length === 0 ? this.allFailed() : null);
      }, done);
  }

  override _destroy(error: Error | null, done: (e?: Error | null) => void): void {
    if (this.finished && !error) return done(null);
    void this.hash.cancel();
    const sinks = this.active;
    this.active = [];
    Promise.all(sinks.map((s) => this.fail(s, error ?? new Error("archive stream stopped")))).then(
      () => done(error),
      () => done(error),
    );
  }

  /** Mark a sink failed from outside (e.g. the source broke): abort it. */
  fail(sink: S, error: unknown): Promise<void> {
    const pending = this.aborts.get(sink);
    if (pending) return pending; // every caller waits for the same cleanup
    this.failures.set(sink, error);
    this.active = this.active.filter((s) => s !== sink);
    this.onFailure(sink, error);
    // After its queued writes settle, so the abort never races a write.
    const abort = (this.queues.get(sink) ?? Promise.resolve()).then(() => sink.abort()).catch(() => undefined);
    this.aborts.set(sink, abort);
    return abort;
  }

  private async take(chunk: Buffer): Promise<void> {
    for (let off = 0; off < chunk.length;) {
      const n = chunk.copy(this.buffers[this.current] as Buffer, this.fill, off);
      this.fill += n;
      off += n;
      if (this.fill === COALESCE_BYTES) await this.dispatch();
    }
  }

  /** Send the current buffer to the hash and every sink; wait only if the next buffer is still in use. */
  private async dispatch(): Promise<void> {
    if (this.fill > 0) {
      const chunk = (this.buffers[this.current] as Buffer).subarray(0, this.fill);
      this.size += chunk.length;
      const jobs = [this.enqueue("hash", () => this.hash.update(chunk))];
      for (const s of this.active)
        jobs.push(this.enqueue(s, () => (this.failures.has(s) ? Promise.resolve() : s.write(chunk))).catch((e: unknown) => this.fail(s, e)));
      this.inflight[this.current] = Promise.all(jobs).then(() => undefined);
      this.current = (this.current + 1) % DEPTH;
      this.fill = 0;
    }
    await this.inflight[this.current];
    this.check();
  }

  private enqueue(key: S | "hash", job: () => Promise<void>): Promise<void> {
    const next = (this.queues.get(key) ?? Promise.resolve()).then(job);
    this.queues.set(
      key,
      next.catch(() => undefined),
    );
    return next;
  }

  private check(): void {
    if (this.active.length === 0) throw this.allFailed();
  }

  private allFailed(): AllDestinationsFailedError {
    const why = [...this.failures].map(([s, e]) => `${s.label}: ${reason(e)}`).join("; ");
    return new AllDestinationsFailedError(`every destination failed: ${why || "none was writable"}`);
  }
}
