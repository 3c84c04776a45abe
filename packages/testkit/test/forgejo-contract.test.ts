// One contract, two servers: every case runs against the Forgejo fake and, when a Docker daemon
// and the image are available, against a real Forgejo container. A case that passes on the fake
// but fails on Forgejo means the fake is wrong (see forgejo-registry-behaviour.md).
import { afterAll, beforeAll, describe } from "vitest";
import { graphCases } from "./forgejo-contract-graph.js";
import { restCases } from "./forgejo-contract-rest.js";
import { v2Cases } from "./forgejo-contract-v2.js";
import { FORGEJO_IMAGE, realForgejoSkipReason, startRealTarget } from "./forgejo-real.js";
import { startFakeTarget, type ContractTarget } from "./forgejo-target.js";

function contract(start: () => Promise<ContractTarget>): void {
  let target: ContractTarget | undefined;
  beforeAll(async () => {
    target = await start();
  }, 180_000);
  afterAll(async () => {
    await target?.stop();
  });
  const get = (): ContractTarget => {
    if (!target) throw new Error("contract target did not start");
    return target;
  };
  describe("/v2", () => v2Cases(get));
  describe("REST", () => restCases(get));
  describe("index graph", () => graphCases(get));
}

describe("Forgejo contract: fake", () => contract(startFakeTarget));

const skipReal = await realForgejoSkipReason();
if (skipReal) console.warn(`skipping Forgejo contract against a real container: ${skipReal}`);
describe.skipIf(skipReal !== undefined)(`Forgejo contract: real ${FORGEJO_IMAGE}`, () => contract(startRealTarget));
