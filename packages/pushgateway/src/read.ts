// Reading back what a group holds, from the Pushgateway's /api/v1/metrics:
// lets a job keep a value across a PUT (e.g. the last successful run time).

/** One sample as the API reports it; group labels merged under the metric's own. */
export interface PushedSample {
  labels: Record<string, string>;
  value: number;
}

/** One group: its grouping labels and its samples by metric name. */
export interface PushedGroup {
  labels: Record<string, string>;
  metrics: Record<string, PushedSample[]>;
  /** Unix seconds of the last successful push, if reported. */
  pushTimeSeconds?: number;
  /** Unix seconds of the last push the Pushgateway refused (0 = none since the group appeared). */
  pushFailureTimeSeconds?: number;
}

interface ApiMetric {
  labels?: Record<string, string>;
  value?: string;
}
interface ApiFamily {
  metrics?: ApiMetric[];
}

/** A value as the API writes it: Go's float formatting, so +Inf, -Inf and NaN besides plain numbers. */
function sampleNumber(text: string): number {
  if (text === "+Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  return Number(text);
}

/** Parse the /api/v1/metrics body; throws on a shape that is not the API's. */
export function parseGroups(json: unknown): PushedGroup[] {
  const data = (json as { data?: unknown })?.data;
  if (!Array.isArray(data)) throw new TypeError("no data array");
  return data.map((raw) => {
    const g = raw as Record<string, unknown>;
    const labels = { ...(g.labels as Record<string, string> | undefined) };
    const metrics: Record<string, PushedSample[]> = {};
    let pushTimeSeconds: number | undefined;
    let pushFailureTimeSeconds: number | undefined;
    for (const [name, fam] of Object.entries(g)) {
      const samples = (fam as ApiFamily | null)?.metrics;
      if (!Array.isArray(samples)) continue;
      const parsed = samples.filter((m) => m.value !== undefined).map((m) => ({ labels: { ...labels, ...m.labels }, value: sampleNumber(m.value as string) }));
      if (name === "push_time_seconds") pushTimeSeconds = parsed[0]?.value;
      else if (name === "push_failure_time_seconds") pushFailureTimeSeconds = parsed[0]?.value;
      else metrics[name] = parsed;
    }
    return {
      labels,
      metrics,
      ...(pushTimeSeconds !== undefined ? { pushTimeSeconds } : {}),
      ...(pushFailureTimeSeconds !== undefined ? { pushFailureTimeSeconds } : {}),
    };
  });
}

/** The first sample's value of `name` in a group, or undefined. */
export function sampleValue(group: PushedGroup | undefined, name: string): number | undefined {
  const v = group?.metrics[name]?.[0]?.value;
  return v === undefined || Number.isNaN(v) ? undefined : v;
}
