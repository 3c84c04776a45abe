import { defineConfig, mergeConfig } from "vitest/config";
import base from "../vitest.base.mjs";

// Image builds take a while on two cores.
export default mergeConfig(base, defineConfig({ test: { include: ["test/**/*.test.ts"], testTimeout: 180_000, hookTimeout: 600_000 } }));
