// The tests a mutant of stryker.config.mjs's modules may be killed by: every file here runs in
// process (registry:2 and scripted servers start in well under a second).
import { mutationConfig } from "../../vitest.base.mjs";

export default mutationConfig(["test/**/*.test.ts"]);
