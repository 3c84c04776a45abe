// TAGS_PER_REPO sampling. The shell probe took the last five tags in
// alphabetical order, which skipped `latest` and newer versions (docs/design.md,
// P3). Without per-tag dates, "newest-looking" means a natural sort
// (numbers compared as numbers, so v10 > v9 and 2026-05-01 > 2026-04-30).

/** Natural comparison: digit runs compare numerically. */
export function naturalCompare(a: string, b: string): number {
  const pa = a.match(/\d+|\D+/g) ?? [];
  const pb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d/.test(x);
    const ny = /^\d/.test(y);
    if (nx && ny) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
      if (x.length !== y.length) return x.length - y.length;
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return 0;
}

/** The n newest-looking tags, always including `latest`; n = 0 keeps all. */
export function sampleTags(tags: readonly string[], n: number): string[] {
  if (n <= 0 || tags.length <= n) return [...tags];
  const rest = tags.filter((t) => t !== "latest").sort((a, b) => naturalCompare(b, a));
  const picked = tags.includes("latest") ? ["latest", ...rest.slice(0, n - 1)] : rest.slice(0, n);
  return picked;
}
