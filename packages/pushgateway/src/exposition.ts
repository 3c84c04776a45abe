// The metric model and its text exposition go through prom-client (the design card's choice): one
// Registry of Gauges per render, its own exposition (format 0.0.4: HELP and TYPE lines, escaped
// label values, NaN and +Inf). What prom-client does not check for a push is checked here first,
// so a bad push fails in our process with a clear InvalidMetricError, not as a 400 from the
// Pushgateway: names, reserved labels, non-numbers, a name or a series given twice (prom-client
// would silently overwrite the first value).
import type { Registry as RegistryType } from "prom-client";
import { InvalidMetricError } from "./errors.js";

/** Metric types a push carries: every regguard metric is a gauge of the run that pushed it; counter for what counts up. */
export type MetricType = "gauge" | "counter";

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

/** Text exposition content type the Pushgateway expects (prom-client's Registry.PROMETHEUS_CONTENT_TYPE). */
export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/**
 * prom-client, loaded at the first render rather than when a job starts: its module load reads
 * the clock and the process (lib/metrics/processStartTime.js), and a job must be inside runMain's
 * guard before anything can throw, so a failure there is the internal error (exit 3), never
 * Node's own exit 1 for an uncaught exception at import (the jobs' "internal error" CLI tests).
 */
let promClient: Promise<typeof import("prom-client")> | undefined;
const loadPromClient = () => (promClient ??= import("prom-client"));

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Whether `name` is a valid label name (not reserved with a `__` prefix). */
export function isLabelName(name: string): boolean {
  return LABEL_NAME.test(name) && !name.startsWith("__");
}

/** The sample's labels sorted by name (a stable series key and a stable exposition), checked. */
function sortedLabels(family: string, labels: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const entries = Object.entries(labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [k, v] of entries) {
    if (!isLabelName(k)) throw new InvalidMetricError(`${family}: label name ${JSON.stringify(k)} is not valid`);
    if (typeof v !== "string") throw new InvalidMetricError(`${family}: label ${k} must be a string`);
  }
  return Object.fromEntries(entries);
}

/** Render families; rejects with InvalidMetricError on bad names, duplicates or non-numbers. */
export async function renderExposition(families: readonly MetricFamily[]): Promise<string> {
  const { Counter, Gauge, Registry } = await loadPromClient();
  const registry: RegistryType = new Registry();
  const names = new Set<string>();
  for (const f of families) {
    if (!METRIC_NAME.test(f.name)) throw new InvalidMetricError(`metric name ${JSON.stringify(f.name)} is not valid`);
    if (names.has(f.name)) throw new InvalidMetricError(`metric ${f.name} appears twice; put all its samples in one family`);
    names.add(f.name);
    const samples = f.samples.map((s) => {
      if (typeof s.value !== "number") throw new InvalidMetricError(`${f.name}: value must be a number`);
      if (f.type === "counter" && !(s.value >= 0)) throw new InvalidMetricError(`${f.name}: a counter cannot be ${s.value}`);
      return { labels: sortedLabels(f.name, s.labels), value: s.value };
    });
    const series = new Set(samples.map((s) => JSON.stringify(s.labels)));
    // The Pushgateway rejects a push with two samples of the same series.
    if (series.size !== samples.length) throw new InvalidMetricError(`${f.name}: the same series appears twice`);
    // A family with no samples has nothing to say (an unlabelled prom-client gauge would report 0).
    if (samples.length === 0) continue;
    const labelNames = [...new Set(samples.flatMap((s) => Object.keys(s.labels)))].sort();
    if (f.type === "counter") {
      const counter = new Counter({ name: f.name, help: f.help, labelNames, registers: [registry] });
      for (const s of samples) counter.inc(s.labels, s.value);
    } else {
      const gauge = new Gauge({ name: f.name, help: f.help, labelNames, registers: [registry] });
      for (const s of samples) gauge.set(s.labels, s.value);
    }
  }
  return registry.metrics();
}
