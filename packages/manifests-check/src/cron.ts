// Five-field cron as the CronJob controller reads it. Macros (@daily) and
// CRON_TZ are refused on purpose: every schedule in manifests/ reads the same way.

const FIELDS = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] },
  { name: "day of week", min: 0, max: 7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] },
] as const;

/** Problems with a schedule; [] when it is a valid five-field expression. */
export function cronProblems(schedule: string): string[] {
  const parts = schedule.trim().split(/\s+/);
  if (parts.length !== 5) return [`schedule ${JSON.stringify(schedule)} must have 5 fields, has ${parts.length}`];
  const out: string[] = [];
  parts.forEach((part, i) => {
    const f = FIELDS[i] as (typeof FIELDS)[number];
    for (const item of part.split(",")) {
      if (!itemOk(item, f)) out.push(`schedule ${JSON.stringify(schedule)}: ${f.name} ${JSON.stringify(item)} is not valid (${f.min}-${f.max})`);
    }
  });
  return out;
}

function itemOk(item: string, f: (typeof FIELDS)[number]): boolean {
  const m = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(item);
  if (!m) return false;
  if (m[2] !== undefined && Number(m[2]) < 1) return false;
  if (m[1] === "*") return true;
  const [a, b] = (m[1] as string).split("-");
  const lo = value(a as string, f);
  const hi = b === undefined ? lo : value(b, f);
  return lo !== undefined && hi !== undefined && lo <= hi;
}

function value(token: string, f: (typeof FIELDS)[number]): number | undefined {
  const names: readonly string[] = "names" in f ? f.names : [];
  const idx = names.indexOf(token.toUpperCase());
  if (idx !== -1) return idx + f.min;
  if (!/^\d+$/.test(token)) return undefined;
  const n = Number(token);
  return n >= f.min && n <= f.max ? n : undefined;
}
