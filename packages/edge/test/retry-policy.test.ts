import { describe, expect, it } from "vitest";
import { backoffMs, isRetryableStatus, retryAfterMs, retryWaitMs, RETRY_WAIT_CAP_MS } from "../src/index.js";

describe("the retry table", () => {
  it("registry and Forgejo retry 408, 429 and the transient 5xx; the Pushgateway 5xx only", () => {
    for (const s of [408, 429, 500, 502, 503, 504]) {
      expect(isRetryableStatus("registry", s), `registry ${s}`).toBe(true);
      expect(isRetryableStatus("forgejo", s), `forgejo ${s}`).toBe(true);
    }
    for (const s of [500, 502, 503, 504]) expect(isRetryableStatus("pushgateway", s)).toBe(true);
    for (const s of [400, 408, 429]) expect(isRetryableStatus("pushgateway", s), `pushgateway ${s}`).toBe(false);
    for (const s of [200, 204, 400, 401, 403, 404, 409, 501, 505]) {
      expect(isRetryableStatus("registry", s), `registry ${s}`).toBe(false);
      expect(isRetryableStatus("forgejo", s), `forgejo ${s}`).toBe(false);
    }
  });

  it("Retry-After: seconds or an HTTP date, never below 0, never above the cap", () => {
    expect(retryAfterMs("2")).toBe(2000);
    expect(retryAfterMs("3600")).toBe(RETRY_WAIT_CAP_MS);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 5_000)).toBe(5_000);
    expect(retryAfterMs(new Date(1_000).toUTCString(), 5_000)).toBe(0);
    expect(retryAfterMs("soon")).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
    expect(retryAfterMs("")).toBeUndefined();
  });

  it("backs off exponentially with equal jitter under the cap", () => {
    expect(backoffMs(0, 100, 10_000, () => 0)).toBe(50);
    expect(backoffMs(0, 100, 10_000, () => 1)).toBe(100);
    expect(backoffMs(3, 100, 10_000, () => 1)).toBe(800);
    expect(backoffMs(20, 100, 1_000, () => 1)).toBe(1_000);
    for (let i = 0; i < 20; i++) {
      const d = backoffMs(3, 100);
      expect(d).toBeGreaterThanOrEqual(400);
      expect(d).toBeLessThanOrEqual(800);
    }
  });

  it("waits what the server asked when it asked", () => {
    expect(retryWaitMs(5, 100, "1")).toBe(1000);
    expect(retryWaitMs(0, 100)).toBeLessThanOrEqual(100);
  });
});
