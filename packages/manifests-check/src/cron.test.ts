import { describe, expect, it } from "vitest";
import { cronProblems } from "./cron.js";

describe("cronProblems", () => {
  it.each(["0 4 * * *", "*/15 * * * *", "0,30 1-5 * JAN-MAR mon-fri", "5 0 1 1 0", "0 0 * * 7"])("accepts %s", (s) => {
    expect(cronProblems(s)).toEqual([]);
  });

  it.each([
    ["@daily", /5 fields/],
    ["0 4 * * * *", /5 fields, has 6/],
    ["60 * * * *", /minute "60"/],
    ["0 24 * * *", /hour "24"/],
    ["*/0 * * * *", /minute/],
    ["0 0 0 * *", /day of month "0"/],
    ["0 0 * 13 *", /month "13"/],
    ["0 0 * * 5-1", /day of week "5-1"/],
  ])("refuses %s", (s, why) => {
    expect(cronProblems(s).join("\n")).toMatch(why);
  });
});
