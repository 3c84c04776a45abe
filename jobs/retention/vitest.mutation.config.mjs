// The tests a mutant of stryker.config.mjs's modules may be killed by: the unit tests and the
// end-to-end runs in process against the fake (real Forgejo is off, see stryker.base.mjs).
// Left out: cli.test.ts (spawns dist/), in-use.test.ts (a kube-apiserver start per rerun, and
// in-use.ts is not mutated), server-cleanup.test.ts (real Forgejo only), docs.test.ts.
import { mutationConfig } from "../../vitest.base.mjs";

export default mutationConfig([
  "src/**/*.test.ts",
  "test/{apply,failure-modes,fixtures,fixtures-live,graph,verify,incidents,metrics,replays,run-report,safety}.test.ts",
]);
