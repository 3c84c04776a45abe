import { defineConfig } from "vitest/config";

// Image builds take a while on two cores; the JSON report feeds .ci/run's summary.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 600_000,
    reporters: ["default", "json"],
    outputFile: { json: ".vitest-result.json" },
  },
});
