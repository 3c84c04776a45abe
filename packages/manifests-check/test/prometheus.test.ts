// The alert rules: the contract of the existing three, runbook links that
// resolve, and promtool's own checks and unit tests on the exact rule file
// the PrometheusRule deploys.
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { useTempDir } from "@regguard/testkit";
import { parse } from "yaml";
import { alertRules, anchors, k8sObjects, loadYamlFile, repoRoot, ruleFileFrom, runTool, type K8sObject } from "../src/index.js";

const tempDir = useTempDir("rules", afterAll);

const root = repoRoot();
const ruleDoc = k8sObjects(loadYamlFile(join(root, "manifests/monitoring/prometheus-rule.yaml")).docs)[0]?.value as K8sObject;
const alerts = alertRules(ruleDoc);
const RUNBOOK = "https://forgejo.viktorbarzin.me/viktor/regguard/src/branch/main/docs/runbooks/alerts.md#";
const UNIT_TESTS = join(root, "packages/manifests-check/test/promtool/registry-alerts.test.yml");

describe("PrometheusRule registry-integrity", () => {
  it("keeps the three existing alerts exactly, in group Cluster", () => {
    const pick = (name: string) => {
      const a = alerts.find((r) => r.alert === name);
      return a && { group: a.group, expr: a.expr, for: a.for, severity: a.labels?.severity };
    };
    expect(pick("RegistryManifestIntegrityFailure")).toEqual({
      group: "Cluster",
      expr: "registry_manifest_integrity_failures > 0",
      for: "30m",
      severity: "critical",
    });
    expect(pick("RegistryIntegrityProbeStale")).toEqual({
      group: "Cluster",
      expr: "time() - registry_manifest_integrity_last_run_timestamp > 3600",
      for: "15m",
      severity: "warning",
    });
    expect(pick("RegistryCatalogInaccessible")).toEqual({
      group: "Cluster",
      expr: "registry_manifest_integrity_catalog_accessible == 0",
      for: "15m",
      severity: "critical",
    });
  });

  it("adds the request-error, last-success, refused-push and sync-drift alerts", () => {
    const exprs = Object.fromEntries(alerts.map((a) => [a.alert, `${a.expr} for ${a.for} ${a.labels?.severity}`]));
    expect(exprs.RegistryIntegrityProbeRequestErrors).toBe("registry_manifest_integrity_request_errors > 0 for 30m warning");
    expect(exprs.RegistryIntegrityProbeNoRecentSuccess).toBe("time() - registry_manifest_integrity_last_success_timestamp > 3600 for 15m warning");
    expect(exprs.RegistrySyncDrift).toBe('sum by (instance) (registry_sync_tags{state=~"drifted|broken"}) > 0 for 1h warning');
    expect(exprs.RegistryIntegrityProbePushFailed).toBe(
      'push_failure_time_seconds{job=~".+-integrity-probe"} > push_time_seconds{job=~".+-integrity-probe"} for 10m warning',
    );
  });

  it("names the instance in every summary and description", () => {
    for (const a of alerts) {
      expect(a.annotations?.summary, a.alert).toContain("{{ $labels.instance }}");
      expect(a.annotations?.description, a.alert).toContain("{{ $labels.instance }}");
    }
  });

  it("links every alert to its own section of docs/runbooks/alerts.md", () => {
    const defined = anchors(readFileSync(join(root, "docs/runbooks/alerts.md"), "utf8"));
    for (const a of alerts) {
      const url = a.annotations?.runbook_url ?? "";
      expect(url.startsWith(RUNBOOK), `${a.alert}: ${url}`).toBe(true);
      expect(url.slice(RUNBOOK.length)).toBe(a.alert.toLowerCase());
      expect(defined.has(a.alert.toLowerCase()), `docs/runbooks/alerts.md has no heading "${a.alert}"`).toBe(true);
    }
  });

  it("has a firing and a not-firing promtool case for every alert", () => {
    const tests = (parse(readFileSync(UNIT_TESTS, "utf8")) as { tests: Array<{ alert_rule_test: Array<{ alertname: string; exp_alerts: unknown[] }> }> }).tests;
    const cases = tests.flatMap((t) => t.alert_rule_test);
    for (const a of alerts) {
      expect(
        cases.some((c) => c.alertname === a.alert && c.exp_alerts.length > 0),
        `${a.alert} firing`,
      ).toBe(true);
      expect(
        cases.some((c) => c.alertname === a.alert && c.exp_alerts.length === 0),
        `${a.alert} not firing`,
      ).toBe(true);
    }
  });

  it("passes promtool check rules and promtool test rules", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "registry-integrity.rules.yml"), ruleFileFrom(ruleDoc));
    copyFileSync(UNIT_TESTS, join(dir, "registry-alerts.test.yml"));
    const check = runTool("promtool", ["check", "rules", "registry-integrity.rules.yml"], { cwd: dir });
    expect(check.status, check.output).toBe(0);
    expect(check.output).toMatch(/SUCCESS: 7 rules found/);
    const unit = runTool("promtool", ["test", "rules", "registry-alerts.test.yml"], { cwd: dir });
    expect(unit.status, unit.output).toBe(0);
  });
});
