// Incident replays as data: each fixtures/<incident>/ holds the inventory and
// manifest graph an incident produced, and the kept/deleted sets it must give.
import { describe, expect, it } from "vitest";
import { reasonText } from "../src/model.js";
import { planPackage } from "../src/resolve.js";
import { fixtureNames, loadFixture } from "./fixture-loader.js";

describe.each(fixtureNames())("fixture %s", (name) => {
  const fx = loadFixture(name);

  // Forgejo's listing order is its own (newest first, by id): the plan, reasons included, must not
  // depend on it. The reversed run caught a cosign tag's reason naming whichever holder came first.
  it.each([
    ["as listed", fx.pkg.versions],
    ["listed in reverse", [...fx.pkg.versions].reverse()],
  ])(`${fx.description.slice(0, 90)} (%s)`, async (_order, versions) => {
    const fetched: string[] = [];
    const plan = await planPackage(
      { ...fx.pkg, versions },
      fx.rules,
      fx.now,
      async (_repo, key) => {
        fetched.push(key);
        return fx.graph.get(key) ?? { state: "missing", message: `404 for ${key}` };
      },
      4,
    );
    const kept = Object.fromEntries(plan.decisions.filter((d) => d.action === "keep").map((d) => [d.version, reasonText(d.reason)]));
    const deleted = plan.decisions.filter((d) => d.action === "delete").map((d) => d.version);
    // "frozen" in a fixture stands for any frozen reason.
    for (const [v, reason] of Object.entries(kept)) if (reason.startsWith("frozen") && fx.expected.kept[v] === "frozen") kept[v] = "frozen";
    expect(kept).toEqual(fx.expected.kept);
    expect(deleted.sort()).toEqual([...fx.expected.deleted].sort());
    expect(plan.frozen.length > 0).toBe(fx.expected.frozen ?? false);
    expect(plan.broken.map((b) => b.target).sort()).toEqual([...(fx.expected.broken ?? [])].sort());
    // Only what is kept is ever resolved: a deleted tag's manifest is never fetched.
    for (const d of plan.decisions.filter((x) => x.action === "delete")) expect(fetched).not.toContain(d.version);
  });
});
