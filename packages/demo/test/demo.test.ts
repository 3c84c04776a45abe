// `pnpm demo` is the README's first command: run the built demo the way a
// newcomer does and hold it to what it promises. It shows the broken
// reference, the metrics, the plan protecting the children of a kept index
// and a verified archive, then stops everything it started, also when
// interrupted.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { hasBinary, pushImage, startCountingProxy, startRegistry, useTempDir, type StartedRegistry } from "@regguard/testkit";
import { cannotRun, filesUnder, leftoverProcesses, runDemo, type DemoRun } from "./run-demo.js";

const why = cannotRun((b) => hasBinary(b));
if (why) console.warn(`skipping the demo tests: ${why}`);

const output = (r: DemoRun) => `exit ${String(r.code)} signal ${String(r.signal)}\n${r.stdout}\n${r.stderr}`;

describe.skipIf(why !== undefined)("the demo", () => {
  // A fresh directory per test to be the demo's TMPDIR and cwd.
  const home = useTempDir("demo", afterEach);

  /** Nothing of `h` survives the demo: no process, no temp dir. */
  function expectNothingLeft(h: string): void {
    expect(leftoverProcesses(h), "processes the demo left running").toEqual([]);
    expect(filesUnder(h), "temp dirs the demo left behind").toEqual([]);
  }

  it("with no configuration: finds the broken reference, shows metrics, plan and archive, exit 0, stops everything", async () => {
    const h = home();
    const r = await runDemo(h);
    console.info(`demo ran in ${r.ms} ms`);
    expect(r.code, output(r)).toBe(0);
    const out = r.stdout;
    // The probe names the index child whose revision link was removed (distribution#3324).
    expect(out).toMatch(/error integrity failure {2}kind=child_missing repository=viktor\/chat tag=latest digest=sha256:[0-9a-f]{64} parent=sha256:/);
    expect(out).toContain("Probe complete: 0 failures across 13 repos");
    // Both probes' groups, as Prometheus scrapes them.
    expect(out).toContain('registry_manifest_integrity_failures{instance="registry.viktorbarzin.me:5050",job="registry-integrity-probe"} 1');
    expect(out).toContain('registry_manifest_integrity_failures{instance="forgejo.viktorbarzin.me",job="forgejo-integrity-probe"} 0');
    expect(out).toMatch(/registry_manifest_integrity_indexes_checked\{instance="forgejo\.viktorbarzin\.me",job="forgejo-integrity-probe"\} [1-9]/);
    // kms-website's latest points at an old index: it and every child it references are kept.
    expect(out).toMatch(/plan {2}package=kms-website version=latest .* decision=keep reason=latest/);
    const protectedChildren = out.match(/plan {2}package=kms-website version=sha256:[0-9a-f]{64} .* decision=keep reason=referenced by latest/g) ?? [];
    expect(protectedChildren.length).toBeGreaterThanOrEqual(2);
    expect(out).toMatch(/package planned {2}package=kms-website versions=\d+ keep=\d+ delete=[1-9]/);
    expect(out).toMatch(/dry run: nothing deleted {2}wouldDelete=[1-9]/);
    // Breakglass wrote to both directories and the copy verified.
    expect(out.match(/archive saved {2}destination=/g) ?? []).toHaveLength(2);
    expect(out).toMatch(/archive verified {2}file=\S+infra-ci-latest\.tar blobs=\d+/);
    // The summary.
    expect(out).toContain("probe registry:2  exit 1 (integrity failure found, as expected)");
    expect(out).toContain("probe forgejo     exit 0 (healthy)");
    expect(out).toMatch(/retention dry-run exit 0: \d+ versions planned, \d+ kept, [1-9]\d* would be deleted/);
    expect(out).toContain("breakglass        save exit 0, verify exit 0");
    // The move: 2 tags only registry:2 had are copied, then chat:latest is repaired on registry:2 from Forgejo.
    expect(out).toContain("Sync check complete: 1 of 3 tags in parity (2 missing, 0 drifted, 0 broken)");
    expect(out).toMatch(/Sync copy complete \(dry run\): 2 to copy, [1-9]\d* bytes to move/);
    expect(out).toMatch(/Sync copy complete: 2 copied, [1-9]\d* bytes moved/);
    expect(out).toContain("Sync check complete: 3 of 3 tags in parity (0 missing, 0 drifted, 0 broken)");
    expect(out).toMatch(/broken tag repaired {2}repository=viktor\/chat target=viktor\/chat tag=latest/);
    expect(out).toContain(
      "sync              check before exit 1 (missing tags), copy dry run exit 0, copy exit 0, check after exit 0, repair of registry:2 exit 0",
    );
    expect(out).toContain("everything behaved as expected");
    expect(out).toContain("stopped every server the demo started");
    expect(r.stderr).toBe("");
    expectNothingLeft(h);
  });

  describe("--registry URL against a registry it did not start", () => {
    let registry: StartedRegistry;
    beforeAll(async () => {
      registry = await startRegistry({ auth: "htpasswd" });
      const target = { url: registry.url, username: registry.username, password: registry.password };
      await pushImage(target, "viktor/app", "v1", { seed: "demo-real", layers: 2 });
      await pushImage(target, "viktor/app", "latest", { seed: "demo-real", layers: 2 });
    });
    afterAll(async () => {
      await registry?.stop();
    });

    it("probes it read-only with a local Pushgateway, saves and verifies --image, exit 0, stops its Pushgateway", async () => {
      const h = home();
      const r = await runDemo(h, {
        args: ["--", "--registry", registry.url, "--image", `${registry.host}/viktor/app:v1`],
        env: { REGISTRY_USERNAME: registry.username ?? "", REGISTRY_PASSWORD: registry.password ?? "", REGISTRY_INSECURE: "true" },
      });
      expect(r.code, output(r)).toBe(0);
      expect(r.stdout).toContain(`== Probing ${registry.url} (read-only) with a local Pushgateway`);
      expect(r.stdout).toContain("Probe complete: 0 failures across 1 repos / 2 tags");
      expect(r.stdout).toMatch(/metrics pushed {2}pushgateway=http:\/\/127\.0\.0\.1:\d+\/metrics\/job\/registry-integrity-probe/);
      expect(r.stdout).toMatch(/archive verified {2}file=\S+\/app-\S+\.tar blobs=\d+/);
      expect(r.stdout).toContain("probe exit 0");
      expect(r.stdout).toContain("breakglass save + verify exit 0");
      expect(r.stdout).not.toContain(registry.password ?? "s3cret");
      expectNothingLeft(h);
    });

    it("SIGTERM while the probe waits on a registry that holds every request: the job is stopped first, exit 130, nothing left", async () => {
      // Every registry request is held until the test ends: the walk cannot finish before the
      // signal, however fast or slow the machine (no fixed delay to guess).
      const slow = await startCountingProxy(registry.url);
      let open = (): void => undefined;
      const held = new Promise<void>((resolve) => (open = resolve));
      for (const method of ["GET", "HEAD"]) slow.rules.beforeNext({ method, pathIncludes: "/v2/" }, () => held, Number.POSITIVE_INFINITY);
      try {
        const h = home();
        const r = await runDemo(h, {
          args: ["--registry", slow.url],
          env: { REGISTRY_USERNAME: registry.username ?? "", REGISTRY_PASSWORD: registry.password ?? "" },
          interrupt: { after: /probe starting/, signal: "SIGTERM" },
        });
        expect(r.code, output(r)).toBe(130);
        expect(r.stdout).toContain("SIGTERM: stopping every server and job the demo started");
        // The probe's own signal handler logs this: the demo passed SIGTERM on before stopping the Pushgateway.
        expect(r.stdout).toMatch(/received SIGTERM, stopping/);
        expect(r.stdout).toContain("stopped every server the demo started");
        expect(r.stdout).not.toContain("== Summary");
        expect(r.stderr).toBe("");
        expectNothingLeft(h);
      } finally {
        open();
        await slow.stop();
      }
    });

    it("exits 1 when the registry is broken", async () => {
      const h = home();
      const r = await runDemo(h, { args: ["--registry", "http://127.0.0.1:9"] });
      expect(r.code, output(r)).toBe(1);
      expect(r.stdout).toMatch(/probe exit 3 /);
      expectNothingLeft(h);
    });
  });

  // The testkit's servers run in their own process group and its clean-up is
  // an exit hook a signal skips: only the demo's own handler stops them.
  it("SIGINT right after registry:2, Pushgateway and Forgejo fake started: exit 130, all stopped, temp dirs removed", async () => {
    const h = home();
    const r = await runDemo(h, { interrupt: { after: /forgejo fake http:/, signal: "SIGINT" } });
    expect(r.code, output(r)).toBe(130);
    expect(r.stdout).toContain("SIGINT: stopping every server and job the demo started");
    expect(r.stdout).toContain("stopped every server the demo started");
    expect(r.stdout).not.toContain("== Summary");
    expect(r.stderr).toBe("");
    expectNothingLeft(h);
  });
});
