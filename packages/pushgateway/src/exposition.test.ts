import { describe, expect, it } from "vitest";
import { InvalidMetricError } from "./errors.js";
import { escapeHelp, escapeLabelValue, formatValue, renderExposition } from "./exposition.js";

describe("renderExposition", () => {
  it("writes HELP, TYPE and samples with labels sorted by name", () => {
    const text = renderExposition([
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
    expect(text).toBe(
      [
        "# HELP a_total A thing.",
        "# TYPE a_total gauge",
        "a_total 1",
        "# HELP b_by_kind B by kind.",
        "# TYPE b_by_kind gauge",
        'b_by_kind{kind="x",z="1"} 0',
        'b_by_kind{kind="y",z="1"} 2.5',
        "",
      ].join("\n"),
    );
  });

  it("escapes label values and help text", () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    expect(escapeHelp('line\\one\ntwo "quoted"')).toBe('line\\\\one\\ntwo "quoted"');
    const text = renderExposition([{ name: "m", help: "h", type: "untyped", samples: [{ labels: { repo: 'vik"tor/a\\b' }, value: 1 }] }]);
    expect(text).toContain('m{repo="vik\\"tor/a\\\\b"} 1');
  });

  it("formats special values", () => {
    expect([NaN, Infinity, -Infinity, 0, -1.5, 1e21].map(formatValue)).toEqual(["NaN", "+Inf", "-Inf", "0", "-1.5", "1e+21"]);
  });

  it("refuses bad names, reserved labels, duplicates", () => {
    const bad = (f: Parameters<typeof renderExposition>[0]) => () => renderExposition(f);
    expect(bad([{ name: "1bad", help: "", type: "gauge", samples: [] }])).toThrow(InvalidMetricError);
    expect(bad([{ name: "m", help: "", type: "gauge", samples: [{ labels: { "bad-label": "x" }, value: 1 }] }])).toThrow(/label name/);
    expect(bad([{ name: "m", help: "", type: "gauge", samples: [{ labels: { __name__: "x" }, value: 1 }] }])).toThrow(/label name/);
    expect(
      bad([
        { name: "m", help: "", type: "gauge", samples: [] },
        { name: "m", help: "", type: "gauge", samples: [] },
      ]),
    ).toThrow(/twice/);
    expect(
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
    ).toThrow(/same series/);
  });

  it("renders nothing for no families", () => {
    expect(renderExposition([])).toBe("");
  });
});
