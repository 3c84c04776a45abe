// At most `width` calls in flight, the rest wait in arrival order. The transport bounds requests
// to one registry with it and the walk bounds tags being checked. It replaces p-limit, whose
// per-call promise chain was a measurable share of the probe's CPU on a registry sharing two
// cores with it (issue 12, item 11: `pnpm bench:probe`, case d).

/** A counting semaphore: `run(fn)` waits for a slot, calls fn, and hands the slot on when fn settles. */
export class Limiter {
  private active = 0;
  /** Waiters in arrival order; `head` is the next to run (shift() is O(n) on long queues). */
  private waiting: Array<() => void> = [];
  private head = 0;

  constructor(readonly width: number) {
    if (!Number.isInteger(width) || width < 1) throw new TypeError("width must be a positive integer");
  }

  /** Calls waiting for a slot. */
  get pending(): number {
    return this.waiting.length - this.head;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active < this.width) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  /** The slot passes straight to the next waiter, so `active` never dips while work is queued. */
  private release(): void {
    if (this.head < this.waiting.length) {
      const next = this.waiting[this.head] as () => void;
      this.waiting[this.head++] = noop;
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting = this.waiting.slice(this.head);
        this.head = 0;
      }
      next();
      return;
    }
    this.active--;
  }
}

const noop = (): void => {};
