// API structs the REST handlers return (modules/structs: User, Organization, Package, PackageFile;
// services/convert: ToUser, ToPackage, ToPackageFile), reduced to the fields clients read.
import { createHash } from "node:crypto";
import type { FakeStore, Owner, Package, PkgFile, Version } from "./store.js";

/** Go's url.PathEscape: like encodeURIComponent but keeps the sub-delims Go leaves alone. */
export function goPathEscape(s: string): string {
  return encodeURIComponent(s).replace(/%(24|26|2B|2C|3A|3B|3D|40)/gi, (m) => decodeURIComponent(m));
}

/** time.Time JSON with one-second resolution, in UTC. */
export const goTime = (unix: number): string => new Date(unix * 1000).toISOString().replace(".000Z", "Z");

export function userJson(o: Owner, rootUrl: string): Record<string, unknown> {
  return {
    id: o.id,
    login: o.name,
    login_name: "",
    full_name: "",
    email: o.kind === "user" ? `${o.lowerName}@example.invalid` : "",
    avatar_url: `${rootUrl}avatars/${o.lowerName}`,
    html_url: `${rootUrl}${goPathEscape(o.name)}`,
    language: "",
    is_admin: o.isAdmin,
    last_login: goTime(o.createdUnix),
    created: goTime(o.createdUnix),
    restricted: false,
    active: true,
    prohibit_login: false,
    location: "",
    website: "",
    description: "",
    visibility: o.visibility,
    followers_count: 0,
    following_count: 0,
    starred_repos_count: 0,
    username: o.name,
  };
}

export function orgJson(o: Owner, rootUrl: string): Record<string, unknown> {
  return {
    id: o.id,
    name: o.name,
    full_name: "",
    email: "",
    avatar_url: `${rootUrl}avatars/${o.lowerName}`,
    description: "",
    website: "",
    location: "",
    visibility: o.visibility,
    repo_admin_change_team_access: false,
    username: o.name,
  };
}

const GHOST_USER: Owner = {
  id: -1,
  name: "Ghost",
  lowerName: "ghost",
  kind: "user",
  visibility: "public",
  isAdmin: false,
  password: "",
  tokens: [],
  members: new Set(),
  packageAccess: new Map(),
  createdUnix: 0,
};

/** convert.ToPackage; `repository` is always null because the fake has no repositories. */
export function packageJson(store: FakeStore, pkg: Package, v: Version, rootUrl: string): Record<string, unknown> {
  const owner = store.ownerById(pkg.ownerId) ?? GHOST_USER;
  const creator = store.ownerById(v.creatorId) ?? GHOST_USER;
  return {
    id: v.id,
    owner: userJson(owner, rootUrl),
    repository: null,
    creator: userJson(creator, rootUrl),
    type: "container",
    name: pkg.lowerName,
    version: v.version,
    html_url: `${rootUrl}${goPathEscape(owner.name)}/-/packages/container/${goPathEscape(pkg.lowerName)}/${goPathEscape(v.version)}`,
    created_at: goTime(v.createdUnix),
  };
}

/** convert.ToPackageFile: hashes of the blob; note the capitalised `Size` key. */
export function fileJson(store: FakeStore, f: PkgFile): Record<string, unknown> {
  const bytes = store.blobs.get(f.digest.slice("sha256:".length)) ?? Buffer.alloc(0);
  const h = (alg: string) => createHash(alg).update(bytes).digest("hex");
  return { id: f.id, Size: bytes.byteLength, name: f.name, md5: h("md5"), sha1: h("sha1"), sha256: h("sha256"), sha512: h("sha512") };
}
