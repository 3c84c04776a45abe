import { ConfigError, type Env, type EnvSchema } from "@regguard/job-config";
import { describe, expect, it } from "vitest";
import { contractProblems, envProblems, readerProblems } from "./env-contract.js";

const schema: EnvSchema = [
  { name: "FORGEJO_HOST", kind: "url", description: "base URL", required: true },
  { name: "FORGEJO_TOKEN", kind: "string", description: "PAT", required: true, secret: true },
  { name: "DRY_RUN", kind: "boolean", description: "plan only", default: "true" },
  { name: "KEEP_LAST_N", kind: "integer", description: "kept", min: 0 },
  { name: "OLD_NAME", kind: "string", description: "Legacy: use FORGEJO_HOST", legacy: true },
];
const token = { name: "FORGEJO_TOKEN", valueFrom: { secretKeyRef: { name: "t", key: "token" } } };

describe("envProblems", () => {
  it("accepts a complete, well-typed env", () => {
    expect(
      envProblems({ env: [{ name: "FORGEJO_HOST", value: "http://forgejo.forgejo.svc.cluster.local" }, token, { name: "DRY_RUN", value: "TRUE" }] }, schema),
    ).toEqual([]);
  });

  it("reports unknown, duplicate, legacy, missing and mistyped variables together", () => {
    const p = envProblems(
      {
        env: [
          { name: "DRY_RUN", value: "yes" },
          { name: "DRYRUN", value: "true" },
          { name: "KEEP_LAST_N", value: "-1" },
          { name: "KEEP_LAST_N", value: "3" },
          { name: "OLD_NAME", value: "x" },
          token,
        ],
      },
      schema,
    );
    expect(p).toEqual([
      'DRY_RUN must be true or false (any case), got "yes"',
      "DRYRUN is not in the job's environment schema",
      "KEEP_LAST_N must be at least 0, got -1",
      "KEEP_LAST_N is set twice",
      "OLD_NAME is a legacy name kept for old CronJobs; use the current name (Legacy: use FORGEJO_HOST)",
      "FORGEJO_HOST is required: base URL",
    ]);
  });

  it("insists secrets come from secretKeyRef, not a value or a ConfigMap", () => {
    const inline = envProblems(
      {
        env: [
          { name: "FORGEJO_HOST", value: "http://x" },
          { name: "FORGEJO_TOKEN", value: "abc" },
        ],
      },
      schema,
    );
    const cm = envProblems(
      {
        env: [
          { name: "FORGEJO_HOST", value: "http://x" },
          { name: "FORGEJO_TOKEN", valueFrom: { configMapKeyRef: { name: "c", key: "k" } } },
        ],
      },
      schema,
    );
    expect(inline).toEqual(["FORGEJO_TOKEN is a secret and must come from valueFrom.secretKeyRef, never an inline value"]);
    expect(cm).toEqual(inline);
  });

  it("allows a non-secret from a Secret and refuses envFrom", () => {
    expect(envProblems({ env: [{ name: "FORGEJO_HOST", valueFrom: { secretKeyRef: { name: "s", key: "h" } } }, token] }, schema)).toEqual([]);
    expect(envProblems({ envFrom: [{ secretRef: { name: "all" } }], env: [{ name: "FORGEJO_HOST", value: "http://x" }, token] }, schema)).toEqual([
      "envFrom is not allowed: list each variable so it can be checked against the schema",
    ]);
  });
});

describe("readerProblems / contractProblems", () => {
  // A reader with a rule the schema cannot express: FORGEJO_HOST or OLD_NAME.
  const seen: Env[] = [];
  const readConfig = (env: Env) => {
    seen.push(env);
    const problems: string[] = [];
    if (!env.FORGEJO_HOST && !env.OLD_NAME) problems.push("FORGEJO_HOST is required (or OLD_NAME)");
    if (env.DRY_RUN !== undefined && !/^(true|false)$/i.test(env.DRY_RUN))
      problems.push(`DRY_RUN must be true or false (any case), got ${JSON.stringify(env.DRY_RUN)}`);
    if (problems.length) throw new ConfigError(problems);
  };
  const lax: EnvSchema = schema.map((s) => (s.name === "FORGEJO_HOST" ? { ...s, required: false } : s));

  it("hands the reader inline values as written and a placeholder of the right kind for valueFrom", () => {
    seen.length = 0;
    expect(
      readerProblems(
        { env: [{ name: "FORGEJO_HOST", valueFrom: { secretKeyRef: { name: "s", key: "h" } } }, token, { name: "DRY_RUN", value: "TRUE" }] },
        { schema, readConfig },
      ),
    ).toEqual([]);
    expect(seen[0]).toEqual({ FORGEJO_HOST: "https://placeholder.invalid", FORGEJO_TOKEN: "placeholder", DRY_RUN: "TRUE" });
  });

  it("reports what only the reader knows, and each problem once", () => {
    expect(envProblems({ env: [token] }, lax)).toEqual([]);
    expect(contractProblems({ env: [token] }, { schema: lax, readConfig })).toEqual(["FORGEJO_HOST is required (or OLD_NAME)"]);
    expect(
      contractProblems({ env: [{ name: "FORGEJO_HOST", value: "http://x" }, token, { name: "DRY_RUN", value: "yes" }] }, { schema: lax, readConfig }),
    ).toEqual(['DRY_RUN must be true or false (any case), got "yes"']);
  });

  it("turns a reader that crashes into a problem instead of a crash", () => {
    const boom = () => {
      throw new TypeError("cannot read x of undefined");
    };
    expect(readerProblems({ env: [token] }, { schema, readConfig: boom })).toEqual(["the job's config reader failed: cannot read x of undefined"]);
  });
});
