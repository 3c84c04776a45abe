// The one vitest config every package shares. The JSON report feeds
// .ci/run's one-line "N passed, N failed" summary.
import { defineConfig } from "vitest/config";

/** Real servers start in hooks: one budget for tests and hooks, in CI and in mutation runs. */
const TIMEOUTS = { testTimeout: 60_000, hookTimeout: 60_000 };

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    ...TIMEOUTS,
    reporters: ["default", "json"],
    outputFile: { json: ".vitest-result.json" },
  },
});

/**
 * The mutation run's vitest config (stryker.base.mjs): only `include`, real Forgejo off, no JSON
 * report (the mutation report is Stryker's). Hook and test timeouts as in CI.
 * @param {string[]} include
 */
export function mutationConfig(include) {
  process.env.REGGUARD_REAL_FORGEJO = "off";
  return defineConfig({ test: { include, ...TIMEOUTS } });
}
