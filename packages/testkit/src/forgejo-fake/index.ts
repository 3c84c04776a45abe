// The Forgejo fake: see ./server.ts for behaviour and /work/shared/context/forgejo-registry-behaviour.md.
export { startForgejoFake, FORGEJO_FAKE_DEFAULT_SCOPES } from "./server.js";
export type { FakeOrg, FakeRequest, FakeScope, FakeUnitAccess, FakeUser, FakeVersionView, FakeVisibility, FailNextMatch, ForgejoFakeOptions, StartedForgejoFake } from "./types.js";
