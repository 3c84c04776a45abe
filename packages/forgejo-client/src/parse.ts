// Shape checks for Forgejo's JSON (modules/structs): anything unexpected is a ProtocolError,
// never a TypeError three calls later.
import { ForgejoProtocolError } from "./errors.js";
import type { Answer } from "./transport.js";
import type { ContainerVersion, ForgejoUser, VersionFile } from "./types.js";

type Obj = Record<string, unknown>;

function fail(a: Answer, what: string): never {
  throw new ForgejoProtocolError(`${a.method} ${a.url}: ${what}`, { status: a.status, method: a.method, url: a.url });
}

export function json(a: Answer): unknown {
  try {
    return JSON.parse(a.text);
  } catch (e) {
    throw new ForgejoProtocolError(`${a.method} ${a.url}: body is not JSON`, { status: a.status, method: a.method, url: a.url, cause: e });
  }
}

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export function array(a: Answer): Obj[] {
  const body = json(a);
  if (!Array.isArray(body) || !body.every(isObj)) fail(a, "expected a JSON array of objects");
  return body;
}

export function object(a: Answer): Obj {
  const body = json(a);
  if (!isObj(body)) fail(a, "expected a JSON object");
  return body;
}

function num(a: Answer, o: Obj, key: string): number {
  const v = o[key];
  if (typeof v !== "number" || !Number.isFinite(v)) fail(a, `field ${key} is not a number`);
  return v;
}

function str(a: Answer, o: Obj, key: string): string {
  const v = o[key];
  if (typeof v !== "string") fail(a, `field ${key} is not a string`);
  return v;
}

/** api.Package -> ContainerVersion. */
export function containerVersion(a: Answer, o: Obj): ContainerVersion {
  const created = Date.parse(str(a, o, "created_at"));
  if (Number.isNaN(created)) fail(a, "field created_at is not a date");
  const owner = o.owner;
  if (!isObj(owner)) fail(a, "field owner is not an object");
  if (str(a, o, "type") !== "container") fail(a, `version ${String(o.id)} is not a container package`);
  return { id: num(a, o, "id"), name: str(a, o, "name"), version: str(a, o, "version"), createdAt: new Date(created), owner: str(a, owner, "login") };
}

/**
 * api.PackageFile -> VersionFile. The size key is `Size` on Forgejo v11 (a struct field without a
 * json tag) and `size` on Gitea 1.27 (modules/structs/package.go tags it): either is read.
 */
export function versionFile(a: Answer, o: Obj): VersionFile {
  return { id: num(a, o, "id"), name: str(a, o, "name"), size: num(a, o, "Size" in o ? "Size" : "size"), sha256: str(a, o, "sha256") };
}

/** api.User -> ForgejoUser. */
export function user(a: Answer, o: Obj): ForgejoUser {
  const isAdmin = o.is_admin;
  if (typeof isAdmin !== "boolean") fail(a, "field is_admin is not a boolean");
  return { id: num(a, o, "id"), login: str(a, o, "login"), isAdmin };
}

/** X-Total-Count as a non-negative integer. */
export function totalCount(a: Answer): number {
  const raw = a.headers["x-total-count"];
  const n = raw === undefined ? NaN : Number(raw);
  if (!Number.isInteger(n) || n < 0) fail(a, `X-Total-Count is ${raw === undefined ? "missing" : `"${raw}"`}`);
  return n;
}
