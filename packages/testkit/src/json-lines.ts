// The jobs log one JSON object per line; tests and benches read their output back with this.

/** Every line of `out` that is a JSON object, parsed, in order; other lines (a banner, a stack) are skipped. */
export function jsonLines(out: string): Array<Record<string, unknown>> {
  return out
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
