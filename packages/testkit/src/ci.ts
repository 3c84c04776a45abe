// "Skip with a reason" outside CI, "fail" inside it: a real server that cannot start must not turn
// a CI run green by skipping the cases that needed it (the skip count is read by nobody).

/** True when the CI variable is set to anything but "" / "0" / "false" (.ci/run sets CI=1, the runner CI=true). */
export function inCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.CI?.trim().toLowerCase();
  return v !== undefined && v !== "" && v !== "0" && v !== "false";
}

/**
 * The reason to skip, printed, or undefined when the cases must run: always undefined in CI,
 * so the start itself fails there with its own error (what is missing and how to install it).
 */
export function skipReasonOutsideCI(what: string, reason: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (reason === undefined) return undefined;
  if (inCI(env)) {
    console.warn(`${what}: ${reason}; CI is set, so the cases run and fail rather than skip`);
    return undefined;
  }
  console.warn(`skipping ${what}: ${reason}`);
  return reason;
}
