import { defineConfig } from "vitest/config";

// The JSON report feeds .ci/run's one-line "N passed, N failed" summary.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ["default", "json"],
    outputFile: { json: ".vitest-result.json" },
  },
});
