// Real Prometheus Pushgateway (Debian prometheus-pushgateway 1.5) on 127.0.0.1, with parsed read-back.
import { request } from "undici";
import { requireBinary } from "./binaries.js";
import { freePort } from "./ports.js";
import { spawnServer } from "./process.js";
import { httpAnswers } from "./ready.js";
import { makeTempDir, removeDir } from "./tmp.js";
import type { StartedServer } from "./types.js";

/** One sample as the Pushgateway holds it: group labels merged under the metric's own labels. */
export interface PushgatewaySeries {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A running Pushgateway; `series()` reads /api/v1/metrics so tests assert on what a probe pushed. */
export interface StartedPushgateway extends StartedServer {
  series(): Promise<PushgatewaySeries[]>;
}

interface ApiMetric {
  labels?: Record<string, string>;
  value?: string;
  count?: string;
  sum?: string;
}
interface ApiFamily {
  type?: string;
  metrics?: ApiMetric[];
}

/** Flattens the /api/v1/metrics JSON; histograms and summaries become `<name>_sum` and `<name>_count`. */
export function parsePushgatewayMetrics(json: unknown): PushgatewaySeries[] {
  const data = (json as { data?: Record<string, unknown>[] }).data ?? [];
  const out: PushgatewaySeries[] = [];
  for (const group of data) {
    const groupLabels = (group.labels ?? {}) as Record<string, string>;
    for (const [name, fam] of Object.entries(group)) {
      if (typeof fam !== "object" || fam === null || !Array.isArray((fam as ApiFamily).metrics)) continue;
      for (const m of (fam as ApiFamily).metrics ?? []) {
        const labels = { ...groupLabels, ...m.labels };
        if (m.value !== undefined) out.push({ name, labels, value: Number(m.value) });
        if (m.sum !== undefined) out.push({ name: `${name}_sum`, labels, value: Number(m.sum) });
        if (m.count !== undefined) out.push({ name: `${name}_count`, labels, value: Number(m.count) });
      }
    }
  }
  return out;
}

/** Starts prometheus-pushgateway without persistence on a free port; ready at /-/ready. */
export async function startPushgateway(): Promise<StartedPushgateway> {
  const binary = requireBinary("prometheus-pushgateway");
  const dir = await makeTempDir("pushgateway");
  try {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const proc = await spawnServer({
      name: "prometheus-pushgateway",
      command: binary,
      args: [`--web.listen-address=127.0.0.1:${port}`, "--persistence.file="],
      cwd: dir,
      ready: () => httpAnswers(`${url}/-/ready`, (s) => s === 200),
    });
    return {
      url,
      series: async () => {
        const res = await request(`${url}/api/v1/metrics`);
        const text = await res.body.text();
        if (res.statusCode !== 200) throw new Error(`pushgateway /api/v1/metrics answered ${res.statusCode}`);
        return parsePushgatewayMetrics(JSON.parse(text));
      },
      stop: async () => {
        await proc.stop();
        await removeDir(dir);
      },
    };
  } catch (err) {
    await removeDir(dir);
    throw err;
  }
}
