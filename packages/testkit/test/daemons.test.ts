// containerd and dockerd start in temp dirs, answer their CLIs, and accept images the kit pushes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasBinary, pushIndex, startContainerd, startDockerd, startRegistry, type StartedRegistry } from "../src/index.js";

const isRoot = process.getuid?.() === 0;
const noContainerd = !isRoot || !hasBinary("containerd") || !hasBinary("ctr") || !hasBinary("docker-registry");
if (noContainerd) console.warn("skipping containerd test: needs root, containerd/ctr (apt-get install containerd) and docker-registry");
const noDockerd = !isRoot || !hasBinary("dockerd") || !hasBinary("docker") || !hasBinary("docker-registry");
if (noDockerd) console.warn("skipping dockerd test: needs root, dockerd/docker (apt-get install docker.io) and docker-registry");

describe.skipIf(noContainerd && noDockerd)("daemons", () => {
  let reg: StartedRegistry;
  beforeAll(async () => {
    reg = await startRegistry();
    await pushIndex({ url: reg.url }, "app", "v1", { attestations: true, seed: "daemons" });
  });
  afterAll(async () => {
    await reg?.stop();
  });

  it.skipIf(noContainerd)("containerd: ctr version, then pulls and unpacks a kit image", async () => {
    const c = await startContainerd();
    try {
      expect(c.namespace).toBe("k8s.io");
      const v = await c.ctr(["version"]);
      expect(v.code).toBe(0);
      expect(v.stdout).toMatch(/Server:/);
      const pull = await c.ctr(["images", "pull", "--plain-http", `${reg.host}/app:v1`]);
      expect(pull.code).toBe(0);
      expect((await c.ctr(["images", "ls", "-q"])).stdout).toContain(`${reg.host}/app:v1`);
    } finally {
      await c.stop();
    }
  });

  it.skipIf(noDockerd)("dockerd: docker version, then pulls a kit image and round-trips save | load", async () => {
    const d = await startDockerd();
    try {
      const v = await d.docker(["version", "--format", "{{.Server.Version}}"]);
      expect(v.code).toBe(0);
      const pull = await d.docker(["pull", "-q", `${reg.host}/app:v1`]);
      expect(pull.stderr).toBe("");
      expect(pull.code).toBe(0);
      const save = await d.docker(["save", `${reg.host}/app:v1`, "-o", `${d.socket}.tar`]);
      expect(save.code).toBe(0);
      expect((await d.docker(["rmi", `${reg.host}/app:v1`])).code).toBe(0);
      const load = await d.docker(["load", "-i", `${d.socket}.tar`]);
      expect(load.stdout).toContain(`${reg.host}/app:v1`);
    } finally {
      await d.stop();
    }
  });
});
