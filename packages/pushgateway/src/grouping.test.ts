import { describe, expect, it } from "vitest";
import { InvalidGroupError } from "./errors.js";
import { groupPath } from "./grouping.js";
import { parseGroups, sampleValue } from "./read.js";

describe("groupPath", () => {
  it("percent-encodes plain values and base64url-encodes values with a slash or empty ones", () => {
    expect(groupPath({ job: "registry-integrity-probe", labels: { instance: "forgejo.example:443" } })).toBe(
      "/metrics/job/registry-integrity-probe/instance/forgejo.example%3A443",
    );
    expect(groupPath({ job: "j", labels: { instance: "a/b" } })).toBe(`/metrics/job/j/instance@base64/${Buffer.from("a/b").toString("base64url")}`);
    expect(groupPath({ job: "j", labels: { instance: "" } })).toBe("/metrics/job/j/instance@base64/=");
  });

  it("refuses an empty job and bad label names", () => {
    expect(() => groupPath({ job: "" })).toThrow(InvalidGroupError);
    expect(() => groupPath({ job: "j", labels: { "in-stance": "x" } })).toThrow(InvalidGroupError);
    expect(() => groupPath({ job: "j", labels: { job: "x" } })).toThrow(InvalidGroupError);
  });
});

describe("parseGroups", () => {
  it("reads groups, samples, push time and push failure time from the API JSON", () => {
    const groups = parseGroups({
      status: "success",
      data: [
        {
          labels: { job: "j", instance: "i" },
          last_push_successful: true,
          push_time_seconds: { metrics: [{ labels: { job: "j", instance: "i" }, value: "1.7e+09" }] },
          push_failure_time_seconds: { metrics: [{ labels: { job: "j", instance: "i" }, value: "1.8e+09" }] },
          m: { type: "GAUGE", metrics: [{ labels: { kind: "x" }, value: "3" }] },
        },
      ],
    });
    expect(groups).toEqual([
      {
        labels: { job: "j", instance: "i" },
        metrics: { m: [{ labels: { job: "j", instance: "i", kind: "x" }, value: 3 }] },
        pushTimeSeconds: 1.7e9,
        pushFailureTimeSeconds: 1.8e9,
      },
    ]);
    expect(sampleValue(groups[0], "m")).toBe(3);
    expect(sampleValue(groups[0], "absent")).toBeUndefined();
    expect(() => parseGroups({ nope: 1 })).toThrow();
  });
});
