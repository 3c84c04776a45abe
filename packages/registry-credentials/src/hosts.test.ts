import { describe, expect, it } from "vitest";
import { hostProblem } from "./hosts.js";

describe("hostProblem", () => {
  it.each(["forgejo.viktorbarzin.me", "registry.viktorbarzin.me:5050", "index.docker.io", "10.0.20.10:5050", "localhost"])("accepts %s", (host) =>
    expect(hostProblem("X_HOSTS", host)).toBeUndefined(),
  );

  it.each([
    ["https://forgejo.viktorbarzin.me", /scheme/],
    ["forgejo.viktorbarzin.me/viktor", /path/],
    ["https://index.docker.io/v1/", /scheme/],
    ["user@forgejo.viktorbarzin.me", /credentials/],
    ["Forgejo.viktorbarzin.me", /lower-case/],
    ["forgejo..me", /not a valid/],
    ["forgejo.viktorbarzin.me:0", /port outside/],
    ["forgejo.viktorbarzin.me:70000", /port outside/],
    ["", /not a valid/],
  ])("refuses %s", (host, why) => {
    expect(hostProblem("X_HOSTS", host)).toMatch(why);
  });
});
