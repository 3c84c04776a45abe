// Public surface of @regguard/forgejo-client: a typed Forgejo packages API client.
export { ForgejoClient } from "./client.js";
export type { ForgejoClientOptions } from "./options.js";
export type { RetryInfo } from "./transport.js";
export type { ContainerVersion, DeleteOutcome, DeleteScopeProbe, ForgejoUser, OwnerKind, VersionFile, WriteAccess } from "./types.js";
export { DELETE_PROBE_PREFIX, PAGE_LIMIT } from "./packages.js";
export {
  DEFAULT_BASE_DELAY_MS,
  DEFAULT_MAX_DELAY_MS,
  DEFAULT_RETRIES,
  DEFAULT_TIMEOUT_MS,
  RETRY_AFTER_CAP_MS,
  backoffMs,
  decideRetry,
  isRetryableStatus,
  retryAfterMs,
  type BackoffOptions,
  type RetryDecision,
} from "./retry.js";
export * from "./errors.js";
