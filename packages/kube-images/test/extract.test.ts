import { describe, expect, it } from "vitest";
import { formatImage, imagesOf, inUseByRepository, parseAliases } from "../src/index.js";

const D1 = `sha256:${"1".repeat(64)}`;
const D2 = `sha256:${"2".repeat(64)}`;
const meta = (name: string) => ({ name, namespace: "apps" });

describe("imagesOf: every field a workload names an image in", () => {
  it("reads a pod's containers, init and ephemeral containers, and the digests its status says were pulled", () => {
    const pod = {
      metadata: meta("web-1"),
      spec: {
        initContainers: [{ name: "migrate", image: "forgejo.example/viktor/migrate:3" }],
        containers: [
          { name: "app", image: "forgejo.example/viktor/app:latest" },
          { name: "proxy", image: "nginx" },
        ],
        ephemeralContainers: [{ name: "debug", image: "busybox:1.36" }],
      },
      status: {
        containerStatuses: [
          { name: "app", image: "forgejo.example/viktor/app:latest", imageID: `forgejo.example/viktor/app@${D1}` },
          // A locally built image: an image id, not a manifest digest.
          { name: "proxy", image: "nginx", imageID: D2 },
        ],
        initContainerStatuses: [
          { name: "migrate", image: "forgejo.example/viktor/migrate:3", imageID: `docker-pullable://forgejo.example/viktor/migrate@${D2}` },
        ],
      },
    };
    const got = imagesOf("Pod", pod);
    expect(got.unread).toEqual([]);
    expect(got.uses.map((u) => [u.field, formatImage(u.image)])).toEqual([
      ["spec.containers[app].image", "forgejo.example/viktor/app:latest"],
      ["spec.containers[proxy].image", "docker.io/library/nginx:latest"],
      ["spec.initContainers[migrate].image", "forgejo.example/viktor/migrate:3"],
      ["spec.ephemeralContainers[debug].image", "docker.io/library/busybox:1.36"],
      ["status.containerStatuses[app].imageID", `forgejo.example/viktor/app:latest@${D1}`],
      ["status.initContainerStatuses[migrate].imageID", `forgejo.example/viktor/migrate:3@${D2}`],
    ]);
    expect(new Set(got.uses.map((u) => u.by))).toEqual(new Set(["apps/Pod/web-1"]));
  });

  it("reads the pod template of each controller kind, and a CronJob's job template", () => {
    const template = (image: string) => ({ template: { spec: { containers: [{ name: "c", image }] } } });
    for (const kind of ["ReplicaSet", "Deployment", "StatefulSet", "DaemonSet", "Job"] as const) {
      const got = imagesOf(kind, { metadata: meta("x"), spec: template(`forgejo.example/viktor/${kind.toLowerCase()}:1`) });
      expect(got.uses.map((u) => `${u.by} ${u.field} ${formatImage(u.image)}`)).toEqual([
        `apps/${kind}/x spec.template.spec.containers[c].image forgejo.example/viktor/${kind.toLowerCase()}:1`,
      ]);
    }
    const cron = imagesOf("CronJob", { metadata: meta("nightly"), spec: { jobTemplate: { spec: template("forgejo.example/viktor/cron:2") } } });
    expect(cron.uses.map((u) => formatImage(u.image))).toEqual(["forgejo.example/viktor/cron:2"]);
  });

  it("reads a ControllerRevision's data, the patch form a StatefulSet or DaemonSet keeps as its rollback target", () => {
    const rev = {
      metadata: meta("db-7d9f"),
      data: {
        spec: {
          template: {
            $patch: "replace",
            spec: {
              containers: [{ name: "db", image: "forgejo.example/viktor/db:14.1" }],
              initContainers: [{ name: "i", image: "forgejo.example/viktor/init:1" }],
            },
          },
        },
      },
    };
    expect(imagesOf("ControllerRevision", rev).uses.map((u) => `${u.field} ${formatImage(u.image)}`)).toEqual([
      "data.spec.template.spec.containers[db].image forgejo.example/viktor/db:14.1",
      "data.spec.template.spec.initContainers[i].image forgejo.example/viktor/init:1",
    ]);
  });

  it("reports an image no runtime could pull instead of dropping it silently", () => {
    const got = imagesOf("Deployment", {
      metadata: meta("bad"),
      spec: { template: { spec: { containers: [{ name: "c", image: "forgejo.example/Bad Name" }] } } },
    });
    expect(got.uses).toEqual([]);
    expect(got.unread).toHaveLength(1);
    expect(got.unread[0]).toMatchObject({ by: "apps/Deployment/bad", field: "spec.template.spec.containers[c].image" });
  });
});

describe("inUseByRepository", () => {
  it("groups the images of our registries by repository under the aliases", () => {
    const pod = {
      metadata: meta("p"),
      spec: {
        containers: [
          { name: "a", image: "forgejo.example/viktor/app:v1" },
          { name: "b", image: "registry.example/app:v0" },
          { name: "c", image: "nginx" },
        ],
      },
    };
    const map = inUseByRepository(imagesOf("Pod", pod).uses, parseAliases("forgejo.example=,registry.example=viktor/"));
    expect([...map.keys()]).toEqual(["viktor/app"]);
    expect(map.get("viktor/app")!.map((r) => `${r.tag} ${r.by} ${r.text}`)).toEqual([
      "v1 apps/Pod/p forgejo.example/viktor/app:v1",
      "v0 apps/Pod/p registry.example/app:v0",
    ]);
  });
});
