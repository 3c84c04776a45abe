// --help text: usage, exit codes and the environment table from the schema.
import { envHelp } from "@regguard/job-config";
import { RETENTION_ENV } from "./env-schema.js";

/** Printed for --help / -h. */
export const HELP = `
regguard retention: delete old Forgejo container package versions without
breaking any image that is kept (index children, attestations and signatures
of kept tags are kept with them). Dry-run unless DRY_RUN=false.

Usage: node dist/main.js [--flag=value ...]
Every variable below can also be given as its flag, e.g. --dry-run=false.

Exit codes:
  0  done (in dry-run: planned, nothing deleted; a guard that would trip
     is a warning in the plan)
  1  a delete failed, a package was frozen (something kept could not be
     resolved or read, or a version's name lies about its content), a
     kept image or a tag pushed during the run is broken or could not be
     verified after applying, or the guard tripped on a live run
  2  configuration or preflight error: the token may not delete the
     owner's versions (wrong user, or no write:package scope), or
     Forgejo could not be reached to check
  3  internal error: a bug, logged as one (never 1, which is about the
     packages)
  130  stopped by SIGTERM/SIGINT: no new delete starts; the ones in flight
     are abandoned and logged as failed (Forgejo may have done them)

Environment:
${envHelp(RETENTION_ENV)}
`;
