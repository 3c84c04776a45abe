// Shared by the integration tests: run the probe in-process, read one
// group back from the real Pushgateway, and a paging proxy that makes a real
// registry answer listings in pages of two with Forgejo's Link quirk.
import { memoryLogger, type Fields, type Level } from "@regguard/job-runtime";
import { startScriptedServer, type PushgatewaySeries, type StartedScriptedServer } from "@regguard/testkit";
import { run } from "../src/index.js";

/** What a probe run did: exit code and its log lines. */
export interface ProbeRun {
  code: number;
  lines: Array<{ level: Level; msg: string } & Fields>;
}

/** Run the probe in-process with exactly this environment (nothing from process.env). */
export async function runProbe(env: Record<string, string>, argv: string[] = []): Promise<ProbeRun> {
  const log = memoryLogger();
  const code = await run({ argv, env, signal: new AbortController().signal, log });
  return { code, lines: log.lines };
}

/** The closing line's fields. */
export function summary(r: ProbeRun): { msg: string } & Fields {
  const line = r.lines.find((l) => l.msg.startsWith("Probe complete:"));
  if (!line) throw new Error(`no summary line in ${JSON.stringify(r.lines)}`);
  return line;
}

/** Findings logged by a run, as kind@repository. */
export function findings(r: ProbeRun): string[] {
  return r.lines
    .filter((l) => l.msg === "integrity failure" || l.msg === "request error")
    .map((l) => `${String(l.kind)}@${String(l.repository)}`)
    .sort();
}

/** One group's series as `name{kind="x"}` -> value; push_* bookkeeping left out unless asked. */
export function groupSeries(all: PushgatewaySeries[], job: string, instance: string, withPushTimes = false): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of all) {
    if (s.labels.job !== job || s.labels.instance !== instance) continue;
    if (!withPushTimes && s.name.startsWith("push_")) continue;
    const extra = Object.entries(s.labels).filter(([k]) => k !== "job" && k !== "instance");
    out[`${s.name}${extra.length ? `{${extra.map(([k, v]) => `${k}="${v}"`).join(",")}}` : ""}`] = s.value;
  }
  return out;
}

const PASSED_HEADERS = ["content-type", "content-length", "docker-content-digest", "www-authenticate"];

/**
 * A proxy in front of a real registry that pages /v2/_catalog and tags/list
 * two entries at a time, whatever `n` asks (Forgejo caps n too), and sends
 * a next Link on every non-empty tags page (Forgejo's quirk); everything
 * else is forwarded unchanged.
 */
export async function startPagingProxy(registryUrl: string, pageSize = 2): Promise<StartedScriptedServer & { listingRequests: () => number }> {
  let listings = 0;
  const server = await startScriptedServer(async (req) => {
    const url = new URL(req.path, "http://proxy");
    const tags = /^\/v2\/(.+)\/tags\/list$/.exec(url.pathname);
    if (url.pathname === "/v2/_catalog" || tags) {
      listings++;
      const full = await fetch(`${registryUrl}${url.pathname}?n=1000`);
      const key = tags ? "tags" : "repositories";
      const all = [...(((await full.json()) as Record<string, string[] | null>)[key] ?? [])].sort();
      const last = url.searchParams.get("last");
      const start = last === null ? 0 : all.findIndex((x) => x > last);
      const page = start < 0 ? [] : all.slice(start, start + pageSize);
      const more = tags ? page.length > 0 : page.length === pageSize;
      const headers: Record<string, string> = more ? { link: `<${url.pathname}?last=${encodeURIComponent(page.at(-1) ?? "")}&n=${pageSize}>; rel="next"` } : {};
      return { status: 200, headers, body: tags ? { name: tags[1], tags: page } : { repositories: page } };
    }
    const res = await fetch(`${registryUrl}${req.path}`, {
      method: req.method,
      headers: Object.fromEntries(["accept", "authorization"].flatMap((h) => (req.headers[h] ? [[h, req.headers[h] as string]] : []))),
    });
    const headers = Object.fromEntries(PASSED_HEADERS.flatMap((h) => (res.headers.get(h) ? [[h, res.headers.get(h) as string]] : [])));
    return { status: res.status, headers, body: Buffer.from(await res.arrayBuffer()) };
  });
  return Object.assign(server, { listingRequests: () => listings });
}
