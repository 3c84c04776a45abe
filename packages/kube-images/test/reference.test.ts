import { describe, expect, it } from "vitest";
import { aliasedRepository, formatImage, InvalidAliasError, InvalidImageError, normalizeImage, parseAliases } from "../src/index.js";

const D = `sha256:${"ab".repeat(32)}`;

describe("normalizeImage: the way a runtime reads a workload's image", () => {
  it.each([
    ["nginx", "docker.io/library/nginx:latest"],
    ["nginx:1.27", "docker.io/library/nginx:1.27"],
    ["bitnami/redis", "docker.io/bitnami/redis:latest"],
    ["index.docker.io/bitnami/redis:7", "docker.io/bitnami/redis:7"],
    ["registry-1.docker.io/library/nginx", "docker.io/library/nginx:latest"],
    ["localhost/app", "localhost/app:latest"],
    ["localhost:5000/app:v1", "localhost:5000/app:v1"],
    ["forgejo.example/viktor/app:v1", "forgejo.example/viktor/app:v1"],
    ["Forgejo.Example/Viktor/App:V1", "forgejo.example/viktor/app:V1"],
    // An upper-case first component is a host (distribution's rule), not a Docker Hub user.
    ["Registry/app", "registry/app:latest"],
    [`forgejo.example/viktor/app@${D}`, `forgejo.example/viktor/app@${D}`],
    [`forgejo.example/viktor/app:v1@${D}`, `forgejo.example/viktor/app:v1@${D}`],
    [`forgejo.example/viktor/app@${D.toUpperCase().replace("SHA256", "sha256")}`, `forgejo.example/viktor/app@${D}`],
    [`docker-pullable://forgejo.example/viktor/app@${D}`, `forgejo.example/viktor/app@${D}`],
    [`[::1]:5000/app`.replace("[::1]", "127.0.0.1"), "127.0.0.1:5000/app:latest"],
  ])("%s -> %s", (text, want) => {
    expect(formatImage(normalizeImage(text))).toBe(want);
  });

  it("keeps no tag when only a digest is given (it is not `latest`)", () => {
    expect(normalizeImage(`forgejo.example/a@${D}`).tag).toBeUndefined();
  });

  it.each([
    "",
    "a b",
    "https://forgejo.example/a",
    "forgejo.example/a@sha256:short",
    "forgejo.example/a:bad tag",
    "forgejo.example/-a",
    `x:${"t".repeat(200)}`,
  ])("refuses %j with a reason", (text) => {
    expect(() => normalizeImage(text)).toThrow(InvalidImageError);
  });
});

describe("registry aliases", () => {
  const aliases = parseAliases("forgejo.example=, forgejo-http.forgejo.svc.cluster.local:3000= ,registry.example=viktor, registry.example/team=team-x/");

  it("maps a name prefix to a repository prefix, the longest prefix first", () => {
    expect(aliasedRepository(normalizeImage("forgejo.example/viktor/app:v1"), aliases)).toBe("viktor/app");
    expect(aliasedRepository(normalizeImage("forgejo-http.forgejo.svc.cluster.local:3000/viktor/app"), aliases)).toBe("viktor/app");
    expect(aliasedRepository(normalizeImage("registry.example/app"), aliases)).toBe("viktor/app");
    expect(aliasedRepository(normalizeImage("registry.example/team/app"), aliases)).toBe("team-x/app");
  });

  it("leaves other registries out, including a host that only starts the same", () => {
    expect(aliasedRepository(normalizeImage("nginx"), aliases)).toBeUndefined();
    expect(aliasedRepository(normalizeImage("forgejo.example.evil/viktor/app"), aliases)).toBeUndefined();
  });

  it.each(["forgejo.example", "=viktor/", "https://x=", "a=b c/", "x.example=,x.example=y/"])("refuses %j", (text) => {
    expect(() => parseAliases(text)).toThrow(InvalidAliasError);
  });

  it("reads an empty list as no aliases", () => {
    expect(parseAliases(" , ")).toEqual([]);
  });
});
