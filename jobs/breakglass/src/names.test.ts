// File names: nothing escapes the directory, latest is reserved, pruning only matches our own pattern.
import { describe, expect, it } from "vitest";
import { parseDestination } from "./destination-spec.js";
import { InvalidNameError } from "./errors.js";
import { archiveNames, archiveTagOf, assertSafeName, isSafeName, plannedArchiveNames, tagPart, tempName, tempTarget } from "./names.js";
import { selectPrune } from "./prune.js";

describe("names", () => {
  it("builds the archive, sidecar, latest and pointer names", () => {
    expect(archiveNames("infra-ci", "abc123", "none")).toEqual({
      name: "infra-ci",
      file: "infra-ci-abc123.tar",
      sidecar: "infra-ci-abc123.tar.sha256",
      latest: "infra-ci-latest.tar",
      pointer: "infra-ci-latest.txt",
      extension: ".tar",
    });
    expect(archiveNames("infra-ci", "abc123", "gzip").file).toBe("infra-ci-abc123.tar.gz");
  });

  it("rejects .., separators, control characters and hidden names", () => {
    for (const bad of ["..", "../x", "a/b", "a\\b", "a\nb", "a\u0000b", "a\u007fb", ".x", "-x", "", "x".repeat(129)]) {
      expect(() => assertSafeName("ARCHIVE_NAME", bad), JSON.stringify(bad)).toThrow(InvalidNameError);
    }
    expect(assertSafeName("ARCHIVE_NAME", "infra-ci_2.x")).toBe("infra-ci_2.x");
  });

  it("names latest and digest-only images by digest, never <name>-latest", () => {
    const d = `sha256:${"ab".repeat(32)}`;
    expect(tagPart("latest", d)).toBe("sha256-abababababababab");
    expect(tagPart(undefined, d)).toBe("sha256-abababababababab");
    expect(tagPart("v1", d)).toBe("v1");
    expect(() => archiveNames("app", "latest", "none")).toThrow(InvalidNameError);
  });

  it("recognises only this name's archives, never latest, temp files or other extensions", () => {
    expect(archiveTagOf("infra-ci", "infra-ci-abc.tar")).toBe("abc");
    expect(archiveTagOf("infra-ci", "infra-ci-abc.tar.gz")).toBe("abc");
    expect(archiveTagOf("infra", "infra-ci-abc.tar")).toBe("ci-abc"); // ambiguous by name: pruning also checks index.json
    for (const f of ["infra-ci-latest.tar", "infra-ci-abc.tar.sha256", tempName("infra-ci-abc.tar"), "other-abc.tar", "infra-ci-.tar", "infra-ci-abc.zip"]) {
      expect(archiveTagOf("infra-ci", f), f).toBeUndefined();
    }
  });
});

describe("names the registry accepts but a file must not carry", () => {
  // Valid OCI tags ([A-Za-z0-9_][A-Za-z0-9._-]{0,127}) on both sides of the file rule.
  const tags = ["v1", "3f2c9a1", "v1.2.3", "a_b-c", "_build", "v1..2", "-x", ".x", "x.", "x".repeat(128), "sha256-0123456789abcdef"];

  it("pruning recognises exactly the tag parts a save may write", () => {
    for (const tag of tags) {
      const writable = (() => {
        try {
          archiveNames("app", tag, "none");
          return true;
        } catch {
          return false;
        }
      })();
      expect(archiveTagOf("app", `app-${tag}.tar`) !== undefined, tag).toBe(writable && isSafeName(tag));
      if (writable) expect(archiveTagOf("app", archiveNames("app", tag, "gzip").file), tag).toBe(tag);
    }
    expect(archiveTagOf("app", "app-_build.tar")).toBeUndefined();
    expect(archiveTagOf("app", "app-v1..2.tar")).toBeUndefined();
  });

  it("plannedArchiveNames refuses them before any request, saying what to do; latest and digests are always fine", () => {
    for (const tag of ["_build", "v1..2"]) {
      expect(() => plannedArchiveNames("infra-ci", tag, "none"), tag).toThrow(
        new RegExp(`IMAGE's tag "${tag.replace(/\./g, "\\.")}" .*archive file name \\(infra-ci-<tag>\\.tar\\).*by digest`),
      );
    }
    expect(plannedArchiveNames("infra-ci", "latest", "none").file).toMatch(/^infra-ci-sha256-0{16}\.tar$/);
    expect(plannedArchiveNames("infra-ci", undefined, "gzip").file).toMatch(/^infra-ci-sha256-0{16}\.tar\.gz$/);
    expect(plannedArchiveNames("infra-ci", "v1", "none").file).toBe("infra-ci-v1.tar");
  });

  it("refuses combinations whose longest name (the temporary sidecar) would pass 255 bytes", () => {
    expect(() => archiveNames("n".repeat(128), "t".repeat(128), "none")).toThrow(/too long: its temporary sidecar name would be \d+ bytes/);
    const longest = archiveNames("n".repeat(100), "t".repeat(100), "gzip");
    expect(Buffer.byteLength(tempName(longest.sidecar, 4194304))).toBeLessThanOrEqual(255);
  });

  it("tempTarget recognises our temporary names only", () => {
    expect(tempTarget(tempName("app-v1.tar"))).toBe("app-v1.tar");
    expect(tempTarget(tempName("app-latest.tar"))).toBe("app-latest.tar");
    for (const f of ["app-v1.tar", ".app-v1.tar", ".app-v1.tar.tmp", ".app-v1.tar.tmp-12-", ".app-v1.tar.tmp-x-abc", "app-v1.tar.tmp-1-abc"])
      expect(tempTarget(f), f).toBeUndefined();
  });
});

describe("selectPrune", () => {
  const c = (file: string, mtimeMs: number) => ({ file, mtimeMs });
  it("keeps the newest KEEP and never a protected file", () => {
    const all = [c("a", 1), c("b", 2), c("c", 3), c("d", 4)];
    expect(selectPrune(all, 2, new Set())).toEqual(["b", "a"]);
    expect(selectPrune(all, 2, new Set(["a"]))).toEqual(["b"]);
    expect(selectPrune(all, 10, new Set())).toEqual([]);
    expect(selectPrune([c("t1", 5), c("t2", 5)], 1, new Set())).toEqual(["t1"]); // ties: by name
    expect(() => selectPrune(all, 0, new Set())).toThrow(/keep/);
  });
});

describe("destinations", () => {
  it("parses directories and s3 URLs, rejecting the unsafe", () => {
    expect(parseDestination("/srv/nfs/forgejo-breakglass/")).toEqual({
      kind: "local",
      dir: "/srv/nfs/forgejo-breakglass",
      label: "/srv/nfs/forgejo-breakglass",
    });
    expect(parseDestination("s3://backups/breakglass/infra/")).toEqual({
      kind: "s3",
      bucket: "backups",
      prefix: "breakglass/infra",
      label: "s3://backups/breakglass/infra",
    });
    expect(parseDestination("s3://backups")).toMatchObject({ prefix: "" });
    for (const bad of ["relative", "s3://Bad_Bucket/x", "s3://key:secret@bucket/x", "s3://bucket/../x", "https://nas/x", "/tmp/\u0001"]) {
      expect(parseDestination(bad), bad).toHaveProperty("problem");
    }
    expect(JSON.stringify(parseDestination("s3://key:secret@bucket/x"))).not.toContain("secret");
  });
});
