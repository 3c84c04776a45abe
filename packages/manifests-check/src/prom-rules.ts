// The rule file Prometheus itself would read, taken from a PrometheusRule's
// spec, so promtool checks exactly what the operator deploys.
import { stringify } from "yaml";
import type { K8sObject } from "./load.js";

/** One alerting rule as written in the PrometheusRule. */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

interface Group {
  name: string;
  rules: Array<Partial<AlertRule> & { record?: string }>;
}

/** `groups:` YAML for promtool from a PrometheusRule object. */
export function ruleFileFrom(rule: K8sObject): string {
  const spec = rule.spec as { groups?: Group[] } | undefined;
  return stringify({ groups: spec?.groups ?? [] });
}

/** Alerting rules by group, in file order. */
export function alertRules(rule: K8sObject): Array<AlertRule & { group: string }> {
  const spec = rule.spec as { groups?: Group[] } | undefined;
  return (spec?.groups ?? []).flatMap((g) => g.rules.filter((r): r is AlertRule => typeof r.alert === "string").map((r) => ({ ...r, group: g.name })));
}
