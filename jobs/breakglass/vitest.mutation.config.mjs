// The tests a mutant of stryker.config.mjs's modules may be killed by: everything that runs the
// job in process. Left out: cli.test.ts and restore-after-incident.test.ts (they spawn dist/),
// import.test.ts (docker load / ctr import of archives: it tests the writer, which is not mutated).
import { mutationConfig } from "../../vitest.base.mjs";

export default mutationConfig(["src/**/*.test.ts", "test/{destinations,forgejo,local-destination,manifests,stalled-source,verify-restore}.test.ts"]);
