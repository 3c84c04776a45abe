// Mutation testing of the archive reader (issue 16): `pnpm test:mutation image-archive`.
import { strykerConfig } from "../../stryker.base.mjs";

export default strykerConfig({ mutate: ["src/archive-read.ts", "src/entry-names.ts"] });
