// Mutation testing of retention's safety-critical modules (issue 16): `pnpm test:mutation retention`.
import { strykerConfig } from "../../stryker.base.mjs";

export default strykerConfig({
  mutate: ["src/keep-set.ts", "src/graph.ts", "src/apply.ts", "src/preflight.ts", "src/verify.ts", "src/run.ts"],
});
