// Mutation testing of breakglass's safety-critical modules (issue 16): `pnpm test:mutation breakglass`.
import { strykerConfig } from "../../stryker.base.mjs";

export default strykerConfig({
  mutate: ["src/verify.ts", "src/local-destination.ts", "src/restore.ts"],
});
