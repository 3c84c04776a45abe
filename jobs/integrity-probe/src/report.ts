// The run's outcome in two forms: the closing log line and the exit code,
// both decided here and nowhere else.
import { EXIT } from "@regguard/job-runtime";
import { integrityFailures, runCompleted, type Tally } from "./tally.js";

/**
 * Exit codes. 3 wins over 1: when the catalog could not be read, the walk
 * stopped, the push failed, or request errors left something unchecked, the
 * numbers are not trustworthy or not visible, and that is what the operator
 * must fix first. Request errors never count as integrity failures (their
 * own gauge and alert), but nothing verified is not healthy: a run where
 * every manifest timed out must not exit 0 (issue 12). main.ts gives a bug 3
 * as well: it is the probe failing, not the registry.
 */
export const PROBE_EXIT = { healthy: EXIT.ok, failures: EXIT.failed, config: EXIT.config, incomplete: EXIT.incomplete, stopped: EXIT.stopped } as const;

/** `Probe complete: F failures across R repos / T tags / I indexes` */
export function summaryLine(t: Tally): string {
  return `Probe complete: ${integrityFailures(t)} failures across ${t.repositories} repos / ${t.tags} tags / ${t.indexes} indexes`;
}

/** The process exit code for a finished run. */
export function exitCode(t: Tally, pushed: boolean, stopped = false): number {
  if (stopped) return PROBE_EXIT.stopped;
  if (!pushed || !runCompleted(t) || t.findings.request_error > 0) return PROBE_EXIT.incomplete;
  return integrityFailures(t) > 0 ? PROBE_EXIT.failures : PROBE_EXIT.healthy;
}
