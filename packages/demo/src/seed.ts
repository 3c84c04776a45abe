// A realistic owner for the demo: a dozen images with version tags, latest,
// build-cache tags, multi-arch indexes with buildx attestations, pushed over
// a month of simulated days so retention has something to decide.
import { pushImage, pushIndex, type PushTarget, type StartedForgejoFake } from "@regguard/testkit";

/** What was seeded, for the summary. */
export interface Seeded {
  images: number;
  tags: number;
  kept: string[];
}

const DAY = 86_400_000;

interface ImageSpec {
  name: string;
  tags: number;
  multiArch?: boolean;
  cache?: boolean;
  docker?: boolean;
}

const IMAGES: ImageSpec[] = [
  { name: "infra-ci", tags: 14, cache: true },
  { name: "kms-website", tags: 12, multiArch: true },
  { name: "beadboard", tags: 4, multiArch: true, docker: true },
  { name: "claude-memory-mcp", tags: 3 },
  { name: "blog", tags: 5, cache: true },
  { name: "homepage", tags: 2 },
  { name: "backup-agent", tags: 3 },
  { name: "dns-updater", tags: 2 },
  { name: "grafana-dashboards", tags: 2 },
  { name: "team/api", tags: 3 },
  { name: "team/worker", tags: 2, multiArch: true },
  { name: "vault-sync", tags: 2 },
];

/** Push every image into the Forgejo fake as `owner`. */
export async function seedForgejo(fake: StartedForgejoFake, owner: string): Promise<Seeded> {
  const user = fake.user(owner);
  const target: PushTarget = { url: fake.url, username: user.login, password: user.token };
  const start = Date.now() - 40 * DAY;
  let tags = 0;
  for (const [i, spec] of IMAGES.entries()) {
    const repo = `${owner}/${spec.name}`;
    for (let t = 1; t <= spec.tags; t++) {
      fake.setNow(new Date(start + (t * 2 + i / 10) * DAY));
      const tag = `v1.${t}`;
      const seed = `${spec.name}-${t}`;
      if (spec.multiArch) await pushIndex(target, repo, tag, { attestations: true, seed, ...(spec.docker ? { format: "docker" as const } : {}) });
      else await pushImage(target, repo, tag, { seed, layers: 2 });
      tags++;
    }
    // latest points at an older build for kms-website: the index and its children must survive.
    const latestFrom = spec.name === "kms-website" ? 2 : spec.tags;
    fake.setNow(new Date(start + (latestFrom * 2 + i / 10) * DAY));
    const seed = `${spec.name}-${latestFrom}`;
    if (spec.multiArch) await pushIndex(target, repo, "latest", { attestations: true, seed, ...(spec.docker ? { format: "docker" as const } : {}) });
    else await pushImage(target, repo, "latest", { seed, layers: 2 });
    tags++;
    if (spec.cache) {
      fake.setNow(new Date(start + i * DAY));
      await pushImage(target, repo, "buildcache", { seed: `${spec.name}-cache` });
      tags++;
    }
  }
  fake.setNow(new Date());
  return { images: IMAGES.length, tags, kept: ["latest", "buildcache"] };
}
