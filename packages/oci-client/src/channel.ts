// A bounded async queue: producers wait when the consumer falls behind, so a
// walk over a huge registry keeps memory flat.

/** Single-consumer async channel with a high-water mark. */
export class Channel<T> implements AsyncIterable<T> {
  private readonly buffer: T[] = [];
  private readonly readers: Array<(r: IteratorResult<T>) => void> = [];
  private readonly writers: Array<() => void> = [];
  private closed = false;
  private failure: unknown;

  constructor(private readonly highWater = 256) {}

  /** Enqueue; resolves once there is room. */
  async push(value: T): Promise<void> {
    if (this.closed) return;
    const reader = this.readers.shift();
    if (reader) return reader({ value, done: false });
    this.buffer.push(value);
    if (this.buffer.length >= this.highWater) await new Promise<void>((r) => this.writers.push(r));
  }

  /** No more values; an error makes the consumer's loop throw. */
  close(error?: unknown): void {
    if (this.closed) return;
    this.closed = true;
    this.failure = error;
    for (const r of this.readers.splice(0)) r({ value: undefined, done: true });
    for (const w of this.writers.splice(0)) w();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    try {
      for (;;) {
        if (this.buffer.length > 0) {
          const value = this.buffer.shift() as T;
          this.writers.shift()?.();
          yield value;
          continue;
        }
        if (this.closed) {
          if (this.failure !== undefined) throw this.failure;
          return;
        }
        const next = await new Promise<IteratorResult<T>>((r) => this.readers.push(r));
        if (next.done) {
          if (this.failure !== undefined) throw this.failure;
          return;
        }
        yield next.value;
      }
    } finally {
      // The consumer stopped early: release every waiting producer.
      this.close();
    }
  }
}
