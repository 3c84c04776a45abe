import { describe, expect, it } from "vitest";
import { InvalidMetricError } from "./errors.js";
import { EXPOSITION_CONTENT_TYPE, renderExposition } from "./exposition.js";

// The exposition is prom-client's (a Registry of Gauges per render); these pin what a push
// depends on: the text format 0.0.4 lines, label order, escaping, special values, and the
// checks made before prom-client sees anything.
describe("renderExposition", () => {
  it("writes HELP, TYPE and samples with labels sorted by name", async () => {
    const text = await renderExposition([
      { name: "a_total", help: "A thing.", type: "gauge", samples: [{ value: 1 }] },
      {
        name: "b_by_kind",
        help: "B by kind.",
        type: "gauge",
        samples: [
          { labels: { z: "1", kind: "x" }, value: 0 },
          { labels: { kind: "y", z: "1" }, value: 2.5 },
        ],
      },
    ]);
    const lines = text.split("\n").filter((l) => l !== "");
    expect(lines).toEqual([
      "# HELP a_total A thing.",
      "# TYPE a_total gauge",
      "a_total 1",
      "# HELP b_by_kind B by kind.",
      "# TYPE b_by_kind gauge",
      'b_by_kind{kind="x",z="1"} 0',
      'b_by_kind{kind="y",z="1"} 2.5',
    ]);
    expect(text.endsWith("\n")).toBe(true);
  });

  it("sends the text format's content type, prom-client's own", async () => {
    expect(EXPOSITION_CONTENT_TYPE).toBe((await import("prom-client")).Registry.PROMETHEUS_CONTENT_TYPE);
  });

  it("escapes label values and help text", async () => {
    const text = await renderExposition([
      { name: "m", help: 'line\\one\ntwo "quoted"', type: "gauge", samples: [{ labels: { repo: 'vik"tor/a\\b\nc' }, value: 1 }] },
    ]);
    expect(text).toContain('# HELP m line\\\\one\\ntwo "quoted"\n');
    expect(text).toContain('m{repo="vik\\"tor/a\\\\b\\nc"} 1\n');
  });

  it("writes special values as the format spells them", async () => {
    const values = [NaN, Infinity, -Infinity, 0, -1.5];
    const text = await renderExposition([{ name: "m", help: "h", type: "gauge", samples: values.map((value, i) => ({ labels: { i: String(i) }, value })) }]);
    // prom-client spells NaN "Nan"; the Pushgateway reads values with Go's strconv.ParseFloat,
    // which takes any case of "nan" (test/pushgateway.test.ts pushes one to the real server).
    expect(
      text
        .split("\n")
        .filter((l) => l.startsWith("m{"))
        .map((l) => l.split(" ")[1]),
    ).toEqual(["Nan", "+Inf", "-Inf", "0", "-1.5"]);
  });

  it("a counter is typed counter; a negative counter is refused", async () => {
    expect(await renderExposition([{ name: "c_total", help: "h", type: "counter", samples: [{ value: 3 }] }])).toContain("# TYPE c_total counter\nc_total 3\n");
    await expect(renderExposition([{ name: "c_total", help: "h", type: "counter", samples: [{ value: -1 }] }])).rejects.toThrow(/a counter cannot be -1/);
  });

  it("refuses bad names, reserved labels, duplicates", async () => {
    const bad = (f: Parameters<typeof renderExposition>[0]) => renderExposition(f);
    await expect(bad([{ name: "1bad", help: "", type: "gauge", samples: [] }])).rejects.toThrow(InvalidMetricError);
    await expect(bad([{ name: "m", help: "", type: "gauge", samples: [{ labels: { "bad-label": "x" }, value: 1 }] }])).rejects.toThrow(/label name/);
    await expect(bad([{ name: "m", help: "", type: "gauge", samples: [{ labels: { __name__: "x" }, value: 1 }] }])).rejects.toThrow(/label name/);
    await expect(
      bad([
        { name: "m", help: "", type: "gauge", samples: [] },
        { name: "m", help: "", type: "gauge", samples: [] },
      ]),
    ).rejects.toThrow(/twice/);
    await expect(
      bad([
        {
          name: "m",
          help: "",
          type: "gauge",
          samples: [
            { labels: { a: "1" }, value: 1 },
            { labels: { a: "1" }, value: 2 },
          ],
        },
      ]),
    ).rejects.toThrow(/same series/);
  });

  it("renders nothing for no families, and nothing for a family without samples", async () => {
    expect((await renderExposition([])).trim()).toBe("");
    expect((await renderExposition([{ name: "m", help: "h", type: "gauge", samples: [] }])).trim()).toBe("");
  });
});
