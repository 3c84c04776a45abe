// The Forgejo fake: see ./server.ts for behaviour and docs/real-forgejo.md for the real server it is held to.
export { startForgejoFake, FORGEJO_FAKE_DEFAULT_SCOPES } from "./server.js";
export type {
  FakeOrg,
  FakeRequest,
  FakeScope,
  FakeUnitAccess,
  FakeUser,
  FakeVersionView,
  FakeVisibility,
  FailNextMatch,
  ForgejoFakeOptions,
  StartedForgejoFake,
} from "./types.js";
