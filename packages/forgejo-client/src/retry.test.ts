// Pure units for the retry policy.
import { describe, expect, it } from "vitest";
import { backoffMs, decideRetry, isRetryableStatus, retryAfterMs, RETRY_AFTER_CAP_MS } from "./retry.js";

describe("retry policy", () => {
  it("retries 5xx only", () => {
    expect([408, 429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 409, 501, 200, 204].some(isRetryableStatus)).toBe(false);
  });

  it("full jitter stays within base * 2^attempt, capped at max", () => {
    expect(backoffMs(0, { baseMs: 100 }, () => 1)).toBe(100);
    expect(backoffMs(3, { baseMs: 100 }, () => 1)).toBe(800);
    expect(backoffMs(10, { baseMs: 100, maxMs: 1000 }, () => 1)).toBe(1000);
    expect(backoffMs(5, { baseMs: 100 }, () => 0)).toBe(1600);
  });

  it("Retry-After as seconds or a date, capped", () => {
    expect(retryAfterMs("2")).toBe(2000);
    expect(retryAfterMs("99999")).toBe(RETRY_AFTER_CAP_MS);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 5_000)).toBe(5_000);
    expect(retryAfterMs("soon")).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });

  it("decideRetry: attempts run out; 4xx final; transport errors retried; Retry-After wins", () => {
    expect(decideRetry(3, 3, { status: 500 })).toEqual({ retry: false });
    expect(decideRetry(0, 3, { status: 404 })).toEqual({ retry: false });
    expect(decideRetry(0, 3, {}).retry).toBe(true);
    expect(decideRetry(0, 3, { status: 503, retryAfter: "1" })).toEqual({ retry: true, delayMs: 1000 });
  });
});
