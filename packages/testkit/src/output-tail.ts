// A ring buffer of the last N output lines: start-up failures quote them instead of dumping megabytes.

/** Keeps the last `max` lines written by a child process (stdout and stderr interleaved). */
export class OutputTail {
  private lines: string[] = [];
  private partial = "";
  constructor(private readonly max: number) {}

  /** Appends a chunk; splits on newlines and drops the oldest lines beyond `max`. */
  push(chunk: Buffer | string): void {
    const parts = (this.partial + chunk.toString()).split("\n");
    this.partial = parts.pop() ?? "";
    this.lines.push(...parts);
    if (this.lines.length > this.max) this.lines.splice(0, this.lines.length - this.max);
  }

  /** The kept lines, including an unterminated last line. */
  text(): string {
    return [...this.lines, ...(this.partial ? [this.partial] : [])].join("\n");
  }
}
