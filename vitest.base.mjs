// The one vitest config every package shares. The JSON report feeds
// .ci/run's one-line "N passed, N failed" summary.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ["default", "json"],
    outputFile: { json: ".vitest-result.json" },
  },
});
