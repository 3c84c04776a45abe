// The shared config with two test files at a time (vitest's default on two cores is one): the
// suite mostly waits on the servers it starts, and as CI's longest task (about 6 minutes with one
// file at a time, under 3 with two, on two cores) it decides when CI ends.
import { mergeConfig } from "vitest/config";
import base from "../../vitest.base.mjs";

export default mergeConfig(base, { test: { maxWorkers: 2 } });
