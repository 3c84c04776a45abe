// Mutation testing of the client's safety-critical modules (issue 16): `pnpm test:mutation oci-client`.
import { strykerConfig } from "../../stryker.base.mjs";

export default strykerConfig({ mutate: ["src/walk.ts", "src/manifest.ts", "src/blobs.ts", "src/transport.ts"] });
