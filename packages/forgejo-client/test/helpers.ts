// Test helpers: a Forgejo fake with a fixed cast, and quick ways to create versions in it.
import { request } from "undici";
import { pushImage, startForgejoFake, type BuiltImage, type StartedForgejoFake } from "@regguard/testkit";
import { ForgejoClient, type ForgejoClientOptions } from "../src/index.js";

export const OWNER = "viktor";
export const OTHER = "mallory";
export const ADMIN = "root";
export const ORG = "infra";

/** viktor (owner), mallory (another user), root (admin), infra (org with viktor in its Owners team). */
export function startCast(): Promise<StartedForgejoFake> {
  return startForgejoFake({
    users: [{ login: OWNER }, { login: OTHER }, { login: ADMIN, isAdmin: true }],
    orgs: [{ name: ORG, owners: [OWNER] }],
  });
}

/** A client for `login`'s main PAT, with millisecond backoff so retry tests stay fast. */
export function clientFor(fake: StartedForgejoFake, login: string, extra: Partial<ForgejoClientOptions> = {}): ForgejoClient {
  return new ForgejoClient({ baseUrl: fake.url, token: fake.user(login).token, backoff: { baseMs: 1, maxMs: 5 }, ...extra });
}

/** Pushes one real image as `login` to `owner/image:tags[0]`, then re-tags the same manifest for every other tag. */
export async function pushTags(fake: StartedForgejoFake, login: string, repo: string, tags: string[]): Promise<BuiltImage> {
  const user = fake.user(login);
  const img = await pushImage({ url: fake.url, username: user.login, password: user.token }, repo, tags[0]);
  const auth = `Basic ${Buffer.from(`${user.login}:${user.token}`).toString("base64")}`;
  for (const tag of tags.slice(1)) {
    const res = await request(`${fake.url}/v2/${repo}/manifests/${tag}`, {
      method: "PUT",
      headers: { authorization: auth, "content-type": img.mediaType },
      body: img.manifest,
    });
    await res.body.dump();
    if (res.statusCode !== 201) throw new Error(`re-tag ${repo}:${tag}: HTTP ${res.statusCode}`);
  }
  return img;
}
