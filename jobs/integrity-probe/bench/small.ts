// The small case of issue 12: 40 repositories x 10 tags (a third multi-arch) on registry:2,
// walked without blobs by the probe, by a plain keep-alive walker doing the same requests, and
// by a shell walker (one curl per request, as the shell probe did). The probe's bounded
// scheduler must stay within 10% of the plain walker and at least 25x the shell one.
import { execFile } from "node:child_process";
import { Agent, request } from "undici";
import { MANIFEST_ACCEPT } from "@regguard/oci-client";

const INDEX_TYPES = ["application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"];

/** What a walker did: requests sent and seconds spent walking. */
export interface WalkFigures {
  requests: number;
  seconds: number;
  tags: number;
}

/**
 * Catalog, every tags list, GET every tagged manifest, HEAD every index child: what the probe
 * sends with CHECK_BLOBS=false, with nothing else (no events, no findings, no retries).
 */
export async function plainWalk(url: string, concurrency: number): Promise<WalkFigures> {
  const agent = new Agent({ connections: concurrency, keepAliveTimeout: 10_000 });
  let requests = 0;
  const get = async (path: string, method: "GET" | "HEAD" = "GET"): Promise<{ body: unknown; type: string }> => {
    requests++;
    const res = await request(new URL(path, url), {
      method,
      dispatcher: agent,
      headers: { accept: MANIFEST_ACCEPT },
      ...(method === "HEAD" ? { reset: false } : {}),
    });
    const text = await res.body.text();
    return { body: method === "GET" ? (JSON.parse(text) as unknown) : undefined, type: String(res.headers["content-type"] ?? "") };
  };
  const started = process.hrtime.bigint();
  const repos = ((await get("/v2/_catalog?n=100")).body as { repositories: string[] }).repositories;
  let tags = 0;
  const jobs: Array<() => Promise<void>> = [];
  for (const repo of repos) {
    jobs.push(async () => {
      const list = ((await get(`/v2/${repo}/tags/list?n=1000`)).body as { tags: string[] }).tags;
      tags += list.length;
      await pool(
        list.map((tag) => async () => {
          const m = await get(`/v2/${repo}/manifests/${tag}`);
          const manifests = (m.body as { manifests?: Array<{ digest: string }> }).manifests;
          if (INDEX_TYPES.some((t) => m.type.startsWith(t)) && manifests) {
            await pool(
              manifests.map((c) => async () => void (await get(`/v2/${repo}/manifests/${c.digest}`, "HEAD"))),
              concurrency,
            );
          }
        }),
        concurrency,
      );
    });
  }
  await pool(jobs, concurrency);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await agent.close();
  return { requests, seconds, tags };
}

async function pool(jobs: Array<() => Promise<void>>, width: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, jobs.length) }, async () => {
      while (next < jobs.length) await (jobs[next++] as () => Promise<void>)();
    }),
  );
}

/**
 * plainWalk in a child process of its own: cold like the probe's, and with the same NODE_OPTIONS
 * (the image's), so the two compare fairly.
 */
export async function plainWalkProcess(url: string, concurrency: number, nodeOptions: string): Promise<WalkFigures> {
  const script = new URL("./plain-walker.js", import.meta.url).pathname;
  const out = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, [script, url, String(concurrency)], { env: { PATH: process.env.PATH ?? "", NODE_OPTIONS: nodeOptions } }, (e, stdout) =>
      e ? reject(e) : resolve(stdout),
    );
  });
  return JSON.parse(out) as WalkFigures;
}

/**
 * The same walk as the shell probe did it (docs/design.md, P2 and P3: the shell version's walk):
 * sequential, one curl per request with basic auth on every one, the manifest's
 * mediaType read with jq and, for an index, its children's digests with a second jq. Every tag
 * here, where the shell probe sampled five: the request count matches the probe's.
 */
export async function shellWalk(url: string): Promise<WalkFigures> {
  const script = [
    "set -u",
    "n=0",
    'A="$ACCEPT"',
    'U="$REG_USER:$REG_PASS"',
    'for repo in $(curl -sf -u "$U" "$R/v2/_catalog?n=100" | jq -r ".repositories[]"); do',
    "  n=$((n+1))",
    '  for tag in $(curl -sf -u "$U" "$R/v2/$repo/tags/list?n=1000" | jq -r ".tags[]"); do',
    '    n=$((n+1)); body=$(curl -sf -u "$U" -H "Accept: $A" "$R/v2/$repo/manifests/$tag")',
    '    case "$(printf "%s" "$body" | jq -r ".mediaType // empty")" in',
    "      *index*|*manifest.list*)",
    '        for child in $(printf "%s" "$body" | jq -r ".manifests[]?.digest"); do n=$((n+1)); curl -sfI -u "$U" -H "Accept: $A" "$R/v2/$repo/manifests/$child" >/dev/null; done ;;',
    "    esac",
    "  done",
    "done",
    'echo "$((n+1))"',
  ].join("\n");
  const started = process.hrtime.bigint();
  const out = await new Promise<string>((resolve, reject) => {
    execFile(
      "bash",
      ["-c", script],
      { env: { PATH: process.env.PATH ?? "", R: url, ACCEPT: MANIFEST_ACCEPT, REG_USER: "probe", REG_PASS: "read-only-token" }, maxBuffer: 1 << 20 },
      (e, stdout) => (e ? reject(e) : resolve(stdout)),
    );
  });
  return { requests: Number(out.trim()), seconds: Number(process.hrtime.bigint() - started) / 1e9, tags: NaN };
}

/** The median of a list of numbers. */
export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
