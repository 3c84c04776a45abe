// The fake's database: owners, packages, versions, files and content-addressed blobs,
// shaped like Forgejo's tables (models/packages/{package,package_version,package_file,package_blob}.go).
import { createHash } from "node:crypto";
import type { FakeScope, FakeVisibility } from "./types.js";

/** A row of the `user` table: a user or an organization. */
export interface Owner {
  id: number;
  name: string;
  lowerName: string;
  kind: "user" | "organization";
  visibility: FakeVisibility;
  isAdmin: boolean;
  password: string;
  /** Personal access tokens; the first one is the user's main PAT. */
  tokens: Array<{ token: string; scopes: FakeScope[] }>;
  /** For orgs: ids of every member user (owners and team members included). */
  members: Set<number>;
  /**
   * For orgs: package access mode (auth.ts `Access`) per member id beyond read: the Owners team
   * and teams with the packages unit at write. Members not listed can only read.
   */
  packageAccess: Map<number, number>;
  createdUnix: number;
}

/** package_file + its properties: `manifest.json` for a manifest, `sha256_<hex>` for a blob. */
export interface PkgFile {
  id: number;
  name: string;
  digest: string;
  mediaType: string;
  isLead: boolean;
}

/** package_version: `version` is always lower-cased (createPackageAndVersion). */
export interface Version {
  id: number;
  packageId: number;
  version: string;
  createdUnix: number;
  creatorId: number;
  isInternal: boolean;
  isTagged: boolean;
  files: PkgFile[];
}

/** package: one per image, with the `container.repository` property (`owner/image`, lower-cased). */
export interface Package {
  id: number;
  ownerId: number;
  lowerName: string;
  repository: string;
}

/** Internal version holding uploaded blobs until a manifest claims them (modules/packages/container: UploadVersion). */
export const UPLOAD_VERSION = "_upload";

export const sha256Hex = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

export class FakeStore {
  readonly owners: Owner[] = [];
  readonly packages: Package[] = [];
  readonly versions: Version[] = [];
  /** package_blob content by sha256 hex; survives version deletion like Forgejo's blobs until the cron. */
  readonly blobs = new Map<string, Buffer>();
  private seq = 0;
  private fixedNow: number | undefined;

  nextId(): number {
    return ++this.seq;
  }

  /** created_unix has one-second resolution in Forgejo (timeutil.TimeStamp). */
  nowUnix(): number {
    return this.fixedNow ?? Math.floor(Date.now() / 1000);
  }

  setNow(date: Date): void {
    this.fixedNow = Math.floor(date.getTime() / 1000);
  }

  ownerByName(name: string): Owner | undefined {
    const lower = name.toLowerCase();
    return this.owners.find((o) => o.lowerName === lower);
  }

  /** The user and the scopes of a PAT. */
  byToken(token: string): { user: Owner; scopes: FakeScope[] } | undefined {
    for (const o of this.owners) for (const t of o.tokens) if (t.token === token) return { user: o, scopes: t.scopes };
    return undefined;
  }

  ownerById(id: number): Owner | undefined {
    return this.owners.find((o) => o.id === id);
  }

  packageByName(ownerId: number, name: string): Package | undefined {
    const lower = name.toLowerCase();
    return this.packages.find((p) => p.ownerId === ownerId && p.lowerName === lower);
  }

  ensurePackage(owner: Owner, image: string): Package {
    const found = this.packageByName(owner.id, image);
    if (found) return found;
    const lowerName = image.toLowerCase();
    const pkg = { id: this.nextId(), ownerId: owner.id, lowerName, repository: `${owner.lowerName}/${lowerName}` };
    this.packages.push(pkg);
    return pkg;
  }

  versionsOf(pkgId: number, includeInternal = false): Version[] {
    return this.versions.filter((v) => v.packageId === pkgId && (includeInternal || !v.isInternal));
  }

  versionByName(pkgId: number, name: string): Version | undefined {
    const lower = name.toLowerCase();
    return this.versions.find((v) => v.packageId === pkgId && v.version === lower);
  }

  /**
   * GetOrInsertVersion + DeletePackageVersionAndReferences: an existing version with the same
   * name is removed first, so a re-push gets a new id and a new created_unix.
   */
  replaceVersion(pkg: Package, name: string, creatorId: number, isTagged: boolean): Version {
    const old = this.versionByName(pkg.id, name);
    if (old) this.deleteVersion(old);
    const v: Version = {
      id: this.nextId(),
      packageId: pkg.id,
      version: name.toLowerCase(),
      createdUnix: this.nowUnix(),
      creatorId,
      isInternal: false,
      isTagged,
      files: [],
    };
    this.versions.push(v);
    return v;
  }

  /** Removes the version and its files; blob bytes stay (services/packages: RemovePackageVersion). */
  deleteVersion(v: Version): void {
    const i = this.versions.indexOf(v);
    if (i >= 0) this.versions.splice(i, 1);
  }

  uploadVersion(pkg: Package): Version {
    const found = this.versions.find((v) => v.packageId === pkg.id && v.isInternal);
    if (found) return found;
    const v: Version = {
      id: this.nextId(),
      packageId: pkg.id,
      version: UPLOAD_VERSION,
      createdUnix: this.nowUnix(),
      creatorId: 0,
      isInternal: true,
      isTagged: false,
      files: [],
    };
    this.versions.push(v);
    return v;
  }

  addFile(v: Version, file: Omit<PkgFile, "id">): void {
    // TryInsertFile: the same name twice in one version is skipped (a layer listed twice).
    if (v.files.some((f) => f.name === file.name)) return;
    v.files.push({ id: this.nextId(), ...file });
  }

  /** Files of one image matching a digest (any version, internal included), oldest first. */
  imageFiles(pkg: Package, pred: (f: PkgFile, v: Version) => boolean): Array<{ v: Version; f: PkgFile }> {
    const out: Array<{ v: Version; f: PkgFile }> = [];
    for (const v of this.versionsOf(pkg.id, true)) for (const f of v.files) if (pred(f, v)) out.push({ v, f });
    return out.sort((a, b) => a.f.id - b.f.id);
  }
}
