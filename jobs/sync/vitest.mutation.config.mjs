// The tests a mutant of stryker.config.mjs's modules may be killed by: the runs in process
// against registry:2 and the Forgejo fake (real Forgejo is off, see stryker.base.mjs).
// Left out: large.test.ts (spawns dist/main.js), cutover.test.ts (a kube-apiserver start per
// rerun, and cutover is not mutated), readme.test.ts.
import { mutationConfig } from "../../vitest.base.mjs";

export default mutationConfig(["test/{sync,archive-source,names,copy-pieces}.test.ts"]);
