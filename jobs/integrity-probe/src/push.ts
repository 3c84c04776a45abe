// PUT the run's metrics to <base>/metrics/job/<job>/instance/<instance>.
// PUT replaces the whole group, so a failure value from an earlier run cannot
// linger (the shell probe POSTed: docs/design.md, P5). Grouping by
// instance as well as job lets two probes (registry:2 and Forgejo during the
// dual-push bake) share one job name without replacing each other, and
// retiring one probe is one DELETE of its group.
//
// last_success_timestamp must survive a PUT from a run that did not
// succeed: such a run first reads the group's current value from
// /api/v1/metrics and pushes it again. A run that succeeded needs no read.
//
// The PUT is retried (retryPush: no answer or 5xx, 1 s then 2 s): the
// shell probe lost whole runs to one DNS blip at the cron tick (docs/design.md,
// P1). The read is not: a failed read only leaves one series out.
import type { Logger } from "@regguard/job-runtime";
import { PushgatewayClient, retryPush, sampleValue, stripUserinfo, type Group } from "@regguard/pushgateway";
import { METRIC, probeMetrics } from "./metrics.js";
import { runCompleted, type Tally } from "./tally.js";
import { buildInfo, packageVersion } from "@regguard/pushgateway";

/** This job's version (its package.json, beside dist/ in the image). */
const VERSION = packageVersion(new URL("../package.json", import.meta.url));

/** Where and what to push. */
export interface PushInput {
  client: PushgatewayClient;
  group: Group;
  tally: Tally;
  startedAt: number;
  finishedAt: number;
}

/** Push; true when the Pushgateway accepted it. Failures are logged, never thrown. */
export async function pushResults(input: PushInput, log: Logger): Promise<boolean> {
  const { client, group, tally } = input;
  // Query values of PUSHGATEWAY_URL may be credentials: masked like every URL in a message.
  const where = stripUserinfo(client.groupUrl(group).toString());
  let lastSuccess: number | undefined = Math.floor(input.finishedAt / 1000);
  if (!runCompleted(tally)) lastSuccess = await previousSuccess(client, group, log);
  const families = [...probeMetrics({ ...input, lastSuccess }), buildInfo(group.job, VERSION)];
  let attempts = 0;
  try {
    await retryPush(
      () => {
        attempts++;
        return client.put(group, families);
      },
      {
        onRetry: ({ attempt, attempts: of, delayMs, error }) =>
          log.warn("metrics push attempt failed; retrying", { pushgateway: where, attempt, of, retryInMs: delayMs, ...why(error) }),
      },
    );
    log.info("metrics pushed", { pushgateway: where, attempts });
    return true;
  } catch (error) {
    log.error("metrics push failed", { pushgateway: where, attempts, ...why(error) });
    return false;
  }
}

/** What went wrong, from the error's fields only: the Pushgateway URL carries no credentials (the client refuses userinfo). */
function why(error: unknown): { errorCode: string | undefined; status: number | undefined; detail: string } {
  const e = error as Error & { code?: string; status?: number };
  return { errorCode: e.code, status: e.status, detail: e.message };
}

/** The group's last_success value; 0 when the group has none (never succeeded), undefined when unreadable. */
async function previousSuccess(client: PushgatewayClient, group: Group, log: Logger): Promise<number | undefined> {
  try {
    return sampleValue(await client.group(group), METRIC.lastSuccess) ?? 0;
  } catch (error) {
    // Pushing 0 here could fire a "never succeeded" alert for a probe that
    // did succeed before; leaving the series out is the honest answer.
    log.warn("could not read the previous last_success_timestamp; leaving it out of this push", { detail: (error as Error).message });
    return undefined;
  }
}
