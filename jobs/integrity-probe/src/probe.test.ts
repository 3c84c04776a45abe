// An error that escapes the walk itself (a bug, not a registry answer) is an incomplete run, exit 3,
// never "healthy" (issue 16; docs/design.md, P2). The client is the real RegistryClient with one
// method that throws the way a programming error does, before any request is sent: nothing here
// reaches the network. Checked by breaking probe.ts by hand (the catch no longer sets walkError:
// the tally then looks like an empty, healthy registry and the exit is 0).
import { memoryLogger } from "@regguard/job-runtime";
import { RegistryClient } from "@regguard/oci-client";
import { describe, expect, it } from "vitest";
import { probe } from "./probe.js";
import { PROBE_EXIT, exitCode } from "./report.js";
import { runCompleted } from "./tally.js";

class ThrowingCatalog extends RegistryClient {
  override repositories(): AsyncGenerator<string> {
    throw new TypeError("Cannot read properties of undefined (reading 'next')");
  }
}

describe("probe: an internal error inside the walk", () => {
  it("is recorded as walkError and logged, and the run exits incomplete (3) even though nothing was found", async () => {
    const client = new ThrowingCatalog({ url: "http://127.0.0.1:9" });
    const log = memoryLogger();
    try {
      const tally = await probe(client, { prefix: undefined, tagsPerRepo: 0, checkBlobs: true, concurrency: 4 }, log);
      expect(tally.walkError).toBe("Cannot read properties of undefined (reading 'next')");
      expect(runCompleted(tally)).toBe(false);
      // No finding at all: only walkError stands between this tally and "healthy".
      expect(Object.values(tally.findings).every((n) => n === 0)).toBe(true);
      expect(exitCode(tally, true)).toBe(PROBE_EXIT.incomplete);
      expect(log.lines.filter((l) => l.level === "error").map((l) => [l.msg, l.detail])).toEqual([
        ["walk stopped before the end", "Cannot read properties of undefined (reading 'next')"],
      ]);
    } finally {
      await client.close();
    }
  });
});
