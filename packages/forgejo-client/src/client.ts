// ForgejoClient: the typed facade over packages.ts and users.ts, one Transport per client.
import { toTransportOptions, type ForgejoClientOptions } from "./options.js";
import * as packages from "./packages.js";
import { Transport } from "./transport.js";
import type { ContainerVersion, DeleteOutcome, DeleteScopeProbe, ForgejoUser, OwnerKind, VersionFile, WriteAccess } from "./types.js";
import * as users from "./users.js";

/** A Forgejo packages API client authenticated with one PAT. */
export class ForgejoClient {
  private readonly t: Transport;

  constructor(options: ForgejoClientOptions) {
    this.t = new Transport(toTransportOptions(options));
  }

  /** Every container version of `owner` (all pages, cross-checked against X-Total-Count). */
  listContainerVersions(owner: string, opts: { q?: string; signal?: AbortSignal } = {}): Promise<ContainerVersion[]> {
    return packages.listContainerVersions(this.t, owner, opts);
  }

  /** One version as it is now; undefined when it does not exist (404). */
  getVersion(owner: string, name: string, version: string, signal?: AbortSignal): Promise<ContainerVersion | undefined> {
    return packages.getVersion(this.t, owner, name, version, signal);
  }

  /** The files of one version. */
  listVersionFiles(owner: string, name: string, version: string, signal?: AbortSignal): Promise<VersionFile[]> {
    return packages.listVersionFiles(this.t, owner, name, version, signal);
  }

  /** The manifest digest of one version (from its manifest.json file). */
  manifestDigest(owner: string, name: string, version: string, signal?: AbortSignal): Promise<string> {
    return packages.manifestDigest(this.t, owner, name, version, signal);
  }

  /** Deletes one version; "already-gone" when Forgejo answers 404. */
  deleteVersion(owner: string, name: string, version: string, signal?: AbortSignal): Promise<DeleteOutcome> {
    return packages.deleteVersion(this.t, owner, name, version, signal);
  }

  /** Whether the token has write:package, from a DELETE of a version that cannot exist (see packages.ts). */
  probeDeleteScope(owner: string, signal?: AbortSignal): Promise<DeleteScopeProbe> {
    return packages.probeDeleteScope(this.t, owner, signal);
  }

  /** The token's user. */
  currentUser(signal?: AbortSignal): Promise<ForgejoUser> {
    return users.currentUser(this.t, signal);
  }

  /** Whether `login` is a member of `org`. */
  orgMembership(org: string, login: string, signal?: AbortSignal): Promise<boolean> {
    return users.orgMembership(this.t, org, login, signal);
  }

  /** Whether `name` is a user or an organization. */
  ownerKind(name: string, signal?: AbortSignal): Promise<OwnerKind> {
    return users.ownerKind(this.t, name, signal);
  }

  /** Whether the token's user may delete `owner`'s versions, and why. */
  writeAccess(owner: string, signal?: AbortSignal): Promise<WriteAccess> {
    return users.writeAccess(this.t, owner, signal);
  }
}
