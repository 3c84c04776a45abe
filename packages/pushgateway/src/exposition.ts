// Prometheus text exposition format 0.0.4, just what a push needs: HELP and
// TYPE lines, escaped label values, special float values. Names are checked
// here so a bad push fails in our process with a clear message, not as a
// 400 from the Pushgateway.
import { InvalidMetricError } from "./errors.js";

/** Metric types a push can carry as plain samples. */
export type MetricType = "gauge" | "counter" | "untyped";

/** One sample: its own labels (grouping labels are added by the Pushgateway) and value. */
export interface Sample {
  labels?: Readonly<Record<string, string>>;
  value: number;
}

/** One metric family: every sample of one name. */
export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  samples: readonly Sample[];
}

/** Text exposition content type the Pushgateway expects. */
export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Whether `name` is a valid label name (not reserved with a `__` prefix). */
export function isLabelName(name: string): boolean {
  return LABEL_NAME.test(name) && !name.startsWith("__");
}

/** HELP text: backslash and newline escaped. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** Label value: backslash, double quote and newline escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** A sample value as the text format writes it (NaN, +Inf, -Inf included). */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

function labelSet(family: string, labels: Readonly<Record<string, string>> | undefined): string {
  const entries = Object.entries(labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [k, v] of entries) {
    if (!isLabelName(k)) throw new InvalidMetricError(`${family}: label name ${JSON.stringify(k)} is not valid`);
    if (typeof v !== "string") throw new InvalidMetricError(`${family}: label ${k} must be a string`);
  }
  return entries.length === 0 ? "" : `{${entries.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(",")}}`;
}

/** Render families; throws InvalidMetricError on bad names, duplicates or non-numbers. */
export function renderExposition(families: readonly MetricFamily[]): string {
  const names = new Set<string>();
  const lines: string[] = [];
  for (const f of families) {
    if (!METRIC_NAME.test(f.name)) throw new InvalidMetricError(`metric name ${JSON.stringify(f.name)} is not valid`);
    if (names.has(f.name)) throw new InvalidMetricError(`metric ${f.name} appears twice; put all its samples in one family`);
    names.add(f.name);
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    const sets = new Set<string>();
    for (const s of f.samples) {
      if (typeof s.value !== "number") throw new InvalidMetricError(`${f.name}: value must be a number`);
      const set = labelSet(f.name, s.labels);
      // The Pushgateway rejects a push with two samples of the same series.
      if (sets.has(set)) throw new InvalidMetricError(`${f.name}${set}: the same series appears twice`);
      sets.add(set);
      lines.push(`${f.name}${set} ${formatValue(s.value)}`);
    }
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}
