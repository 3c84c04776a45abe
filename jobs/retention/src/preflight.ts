// Before any plan: may this token delete the owner's versions? The shell
// version ran for weeks with a token of another user; every DELETE got 403
// and the run still exited 0 (docs/design.md, R3). Two questions,
// because Forgejo refuses a delete for two independent reasons:
//  1. who the token is (GET /api/v1/user): the owner, an admin, or a member of
//     the owner organisation;
//  2. whether the token has write:package: a DELETE of a version that cannot
//     exist (forgejo-client probeDeleteScope) answers 403 without the scope
//     and 404 with it, and can never delete anything. It is still a DELETE, so
//     only a live run sends it; a dry run's plan says the scope is unverified.
// Neither sees an org member whose teams lack package write: Forgejo looks up
// the version (404) before it checks the user, so that still shows only as
// 403 on the first real delete (docs/runbooks/retention.md).
import {
  ForgejoForbiddenError,
  ForgejoHttpStatusError,
  ForgejoNotFoundError,
  ForgejoTransportError,
  ForgejoUnauthorizedError,
  type DeleteScopeProbe,
  type ForgejoClient,
  type WriteAccess,
} from "@regguard/forgejo-client";
import { ForgejoUnavailableError, PreflightError } from "./errors.js";
import { messageOf } from "./inventory.js";

/** Whether write:package was checked: a live run probes it, a dry run sends no DELETE at all. */
export type WriteScope = { verified: true; probed: string } | { verified: false; why: string };

/** Who the token is, once it is known to be allowed. */
export interface Identity {
  login: string;
  why: WriteAccess["reason"];
  writeScope: WriteScope;
}

/** What a dry run's plan says about the scope it did not probe. */
export const DRY_RUN_SCOPE_NOTE = "not verified: a dry run sends no DELETE, not even the preflight's probe; a live run checks it before any delete";

type Api = Pick<ForgejoClient, "writeAccess" | "probeDeleteScope">;

/**
 * Throws PreflightError or ForgejoUnavailableError (both exit 2); nothing is listed or deleted
 * before it passes. `probeScope` is false in a dry run: the probe is a DELETE (design.md: a dry
 * run issues no DELETE calls), so the scope is then reported as not verified.
 */
export async function preflight(api: Api, owner: string, opts: { probeScope: boolean; signal?: AbortSignal }): Promise<Identity> {
  const access = await identity(api, owner, opts.signal);
  const writeScope: WriteScope = opts.probeScope
    ? { verified: true, probed: (await deleteScope(api, owner, opts.signal)).name }
    : { verified: false, why: DRY_RUN_SCOPE_NOTE };
  return { login: access.user.login, why: access.reason, writeScope };
}

async function identity(api: Api, owner: string, signal?: AbortSignal): Promise<WriteAccess> {
  let access: WriteAccess;
  try {
    access = await api.writeAccess(owner, signal);
  } catch (e) {
    if (e instanceof ForgejoUnauthorizedError) {
      throw new PreflightError("PREFLIGHT_IDENTITY", `FORGEJO_TOKEN is not accepted by Forgejo (401): ${messageOf(e)}`, e);
    }
    if (e instanceof ForgejoForbiddenError) {
      throw new PreflightError(
        "PREFLIGHT_IDENTITY",
        `FORGEJO_TOKEN may not read its user or the owner (403; it needs read:user and read:organization besides write:package): ${messageOf(e)}`,
        e,
      );
    }
    if (e instanceof ForgejoNotFoundError) throw new PreflightError("PREFLIGHT_OWNER", `FORGEJO_OWNER ${owner} does not exist on Forgejo: ${messageOf(e)}`, e);
    throw unavailable(e, "cannot ask Forgejo who the token is", signal);
  }
  if (!access.allowed) {
    throw new PreflightError(
      "PREFLIGHT_ACCESS",
      `FORGEJO_TOKEN belongs to ${access.user.login}, who is not ${owner}, not an admin and not a member of an organisation ${owner}: every delete would be refused (403). Use a token of ${owner}.`,
    );
  }
  return access;
}

async function deleteScope(api: Api, owner: string, signal?: AbortSignal): Promise<DeleteScopeProbe> {
  let probe: DeleteScopeProbe;
  try {
    probe = await api.probeDeleteScope(owner, signal);
  } catch (e) {
    if (isUnreachable(e)) throw unavailable(e, "cannot ask Forgejo whether the token may delete", signal);
    if (signal?.aborted) throw signal.reason;
    throw new PreflightError(
      "PREFLIGHT_PROBE",
      `cannot tell whether FORGEJO_TOKEN may delete: a DELETE of a version that cannot exist should answer 403 or 404: ${messageOf(e)}`,
      e,
    );
  }
  if (!probe.hasWriteScope) {
    throw new PreflightError(
      "PREFLIGHT_SCOPE",
      `FORGEJO_TOKEN lacks write:package; every delete would be refused (403${probe.serverMessage ? `: ${probe.serverMessage}` : ""}). Generate a token with write:package.`,
    );
  }
  return probe;
}

/** No answer, or a 5xx after the client's retries: Forgejo (or FORGEJO_HOST) is the problem, not the token. */
function isUnreachable(e: unknown): boolean {
  return e instanceof ForgejoTransportError || (e instanceof ForgejoHttpStatusError && (e.status ?? 0) >= 500);
}

function unavailable(e: unknown, what: string, signal?: AbortSignal): unknown {
  if (signal?.aborted) return signal.reason;
  return new ForgejoUnavailableError(`${what}: ${messageOf(e)}`, e);
}
