import { describe, expect, it } from "vitest";
import { ConfigError, EnvReader, envTable, parseBoolean, parseDuration, unknownFlags, type EnvSchema } from "../src/index.js";

const schema: EnvSchema = [
  { name: "REGISTRY_URL", kind: "url", description: "registry base URL", required: true },
  { name: "DRY_RUN", kind: "boolean", description: "plan only", default: "true" },
  { name: "KEEP_LAST_N", kind: "integer", description: "tags kept", default: "10", min: 0 },
  { name: "UNTAGGED_GRACE", kind: "duration", description: "grace", default: "24h" },
  { name: "TOKEN", kind: "string", description: "token", secret: true },
];

describe("EnvReader", () => {
  it("reads typed values with defaults", () => {
    const r = new EnvReader(schema, { REGISTRY_URL: "http://127.0.0.1:5000", DRY_RUN: "FALSE" });
    expect(r.url("REGISTRY_URL")?.host).toBe("127.0.0.1:5000");
    expect(r.boolean("DRY_RUN")).toBe(false);
    expect(r.integer("KEEP_LAST_N")).toBe(10);
    expect(r.duration("UNTAGGED_GRACE")).toBe(86_400_000);
    expect(r.finish(1)).toBe(1);
  });

  it("collects every problem at once and refuses yes as a boolean", () => {
    const r = new EnvReader(schema, { DRY_RUN: "yes", KEEP_LAST_N: "-1", UNTAGGED_GRACE: "soon" });
    r.url("REGISTRY_URL");
    r.boolean("DRY_RUN");
    r.integer("KEEP_LAST_N");
    r.duration("UNTAGGED_GRACE");
    try {
      r.finish(null);
      expect.fail("finish should throw");
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const problems = (e as ConfigError).problems;
      expect(problems).toHaveLength(4);
      expect(problems.join("\n")).toMatch(/REGISTRY_URL is required/);
      expect(problems.join("\n")).toMatch(/DRY_RUN must be true or false/);
    }
  });

  it("takes a boolean only as the bare word: surrounding whitespace is a problem, never a guess", () => {
    for (const raw of ["TRUE", "False", "tRuE"]) expect(parseBoolean("DRY_RUN", raw).ok).toBe(true);
    for (const raw of [" false", "false ", "false\n", "\ttrue", "", "0", "no"]) {
      const parsed = parseBoolean("DRY_RUN", raw);
      expect(parsed.ok, JSON.stringify(raw)).toBe(false);
      if (!parsed.ok) expect(parsed.problem).toMatch(/^DRY_RUN must be true or false \(any case\)/);
    }
    const spaced = parseBoolean("DRY_RUN", " false");
    expect(spaced.ok ? "" : spaced.problem).toContain("remove the surrounding whitespace");
  });

  it("lets flags override the environment", () => {
    const r = new EnvReader(schema, { KEEP_LAST_N: "3" }, ["--keep-last-n=5", "--dry-run", "false"]);
    expect(r.integer("KEEP_LAST_N")).toBe(5);
    expect(r.boolean("DRY_RUN")).toBe(false);
    expect(unknownFlags(schema, ["--keep-last-n=1", "--keep-lats-n=2"], ["--help"])).toEqual(["--keep-lats-n"]);
  });

  it("refuses credentials inside URLs without echoing them", () => {
    const r = new EnvReader(schema, { REGISTRY_URL: "https://user:hunter2@example.test" });
    r.url("REGISTRY_URL");
    expect(r.problems.join()).not.toContain("hunter2");
    expect(r.problems.join()).toMatch(/must not contain credentials/);
  });
});

describe("parseDuration and envTable", () => {
  it("parses compound durations and rejects garbage", () => {
    expect(parseDuration("X", "1h30m")).toEqual({ ok: true, value: 5_400_000 });
    expect(parseDuration("X", "24").ok).toBe(false);
  });
  it("renders a markdown row per variable", () => {
    const table = envTable(schema);
    expect(table.split("\n")).toHaveLength(2 + schema.length);
    expect(table).toContain("| `DRY_RUN` | plan only | `true` |");
  });
});

describe("a schema declared as const (issue 13: typed end to end)", () => {
  const TYPED = [
    { name: "CONCURRENCY", kind: "integer", description: "parallel requests", default: "8", min: 1 },
    { name: "TAGS", kind: "regex", description: "tags to keep" },
    { name: "COMPRESS", kind: "enum", values: ["none", "gzip"], description: "archive compression", default: "none" },
    { name: "MODE", kind: "enum", values: ["off", "kubernetes", "static"], description: "where to look" },
  ] as const satisfies EnvSchema;

  it("a variable with a default reads as its type; a bad value is a problem, and the default stands in until finish throws", () => {
    const r = new EnvReader(TYPED, { CONCURRENCY: "zero" });
    const n: number = r.integer("CONCURRENCY");
    expect(n).toBe(8);
    expect(r.problems).toEqual([expect.stringMatching(/^CONCURRENCY/)]);
    expect(() => r.finish({})).toThrow(ConfigError);
  });

  it("a variable without a default may be undefined", () => {
    const r = new EnvReader(TYPED, {});
    const tags: RegExp | undefined = r.regex("TAGS");
    expect(tags).toBeUndefined();
    // @ts-expect-error: no default, so not a RegExp for sure
    const sure: RegExp = r.regex("TAGS");
    void sure;
  });

  it("an enum reads as the union of its values, case-insensitively, and names the choices when wrong", () => {
    const r = new EnvReader(TYPED, { COMPRESS: " GZip ", MODE: "sometimes" });
    const c: "none" | "gzip" = r.enum("COMPRESS");
    expect(c).toBe("gzip");
    expect(r.enum("MODE")).toBeUndefined();
    expect(r.problems).toEqual(['MODE must be off, kubernetes or static, got "sometimes"']);
  });

  it("an unknown name, or a name of another kind, does not compile", () => {
    const r = new EnvReader(TYPED, {});
    // @ts-expect-error: not in the schema
    expect(() => r.string("CONCURENCY")).toThrow(/not in the job's environment schema/);
    // @ts-expect-error: CONCURRENCY is an integer, not a duration
    r.duration("CONCURRENCY");
  });
});
