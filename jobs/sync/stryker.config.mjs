// Mutation testing of the sync job's copy and its per-tag decisions (issue 15: "no half-copied
// image behind a tag"): `pnpm test:mutation sync`.
import { strykerConfig } from "../../stryker.base.mjs";

export default strykerConfig({
  mutate: ["src/image-copy.ts", "src/tag-sync.ts", "src/names.ts"],
});
