// Before any plan, even in dry-run: is the token's user allowed to delete
// the owner's versions? The shell version ran for weeks with a token of
// another user; every DELETE got 403 and the run still exited 0 (field
// notes, retention #3), and dry-run never noticed because it only did GETs.
import { ForgejoForbiddenError, ForgejoNotFoundError, ForgejoUnauthorizedError, type ForgejoClient, type WriteAccess } from "@regguard/forgejo-client";
import { ForgejoUnavailableError, PreflightError } from "./errors.js";
import { messageOf } from "./inventory.js";

/** Who the token is, once it is known to be allowed. */
export interface Identity {
  login: string;
  why: WriteAccess["reason"];
}

/** Throws PreflightError (exit 2) for a token that cannot delete, ForgejoUnavailableError (exit 1) when Forgejo cannot be asked. */
export async function preflight(api: Pick<ForgejoClient, "writeAccess">, owner: string, signal?: AbortSignal): Promise<Identity> {
  let access: WriteAccess;
  try {
    access = await api.writeAccess(owner, signal);
  } catch (e) {
    if (e instanceof ForgejoUnauthorizedError) {
      throw new PreflightError("PREFLIGHT_IDENTITY", `FORGEJO_TOKEN is not accepted by Forgejo (401): ${messageOf(e)}`, e);
    }
    if (e instanceof ForgejoForbiddenError) {
      throw new PreflightError("PREFLIGHT_IDENTITY", `FORGEJO_TOKEN may not read its user or the owner (403; it needs read:user and read:organization besides write:package): ${messageOf(e)}`, e);
    }
    if (e instanceof ForgejoNotFoundError) throw new PreflightError("PREFLIGHT_OWNER", `FORGEJO_OWNER ${owner} does not exist on Forgejo: ${messageOf(e)}`, e);
    if (signal?.aborted) throw signal.reason;
    throw new ForgejoUnavailableError(`cannot ask Forgejo who the token is: ${messageOf(e)}`, e);
  }
  if (!access.allowed) {
    throw new PreflightError(
      "PREFLIGHT_ACCESS",
      `FORGEJO_TOKEN belongs to ${access.user.login}, who is not ${owner}, not an admin and not a member of an organisation ${owner}: every delete would be refused (403). Use a token of ${owner}.`,
    );
  }
  return { login: access.user.login, why: access.reason };
}
