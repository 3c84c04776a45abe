// One contract, three servers: every case runs against the Forgejo fake, against the pinned real
// server (forgejo.pin: Forgejo, or Gitea where no Forgejo can be built) as a process, and against
// the same binary in a container started by testcontainers. A case that passes on the fake but
// fails on the real server means the fake is wrong (see forgejo-registry-behaviour.md).
import { afterAll, beforeAll, describe } from "vitest";
import { forgejoBuild, forgejoMissingReason, hasBinary, skipReasonOutsideCI } from "../src/index.js";
import { graphCases } from "./forgejo-contract-graph.js";
import { restCases } from "./forgejo-contract-rest.js";
import { v2Cases } from "./forgejo-contract-v2.js";
import { startContainerTarget, startProcessTarget } from "./forgejo-real.js";
import { startFakeTarget, type ContractTarget } from "./forgejo-target.js";

function contract(start: () => Promise<ContractTarget>): void {
  let target: ContractTarget | undefined;
  beforeAll(async () => {
    target = await start();
  }, 240_000);
  afterAll(async () => {
    await target?.stop();
  }, 60_000);
  const get = (): ContractTarget => {
    if (!target) throw new Error("contract target did not start");
    return target;
  };
  describe("/v2", () => v2Cases(get));
  describe("REST", () => restCases(get));
  describe("index graph", () => graphCases(get));
}

describe("Forgejo contract: fake", () => contract(startFakeTarget));

const build = forgejoBuild();
const noServer = skipReasonOutsideCI(`the contract against real ${build.label}`, forgejoMissingReason(build));
describe.skipIf(noServer !== undefined)(`Forgejo contract: real ${build.label} (process)`, () => contract(startProcessTarget));

const noDocker = skipReasonOutsideCI(
  `the contract against real ${build.label} in a container`,
  forgejoMissingReason(build) ?? (hasBinary("dockerd") ? undefined : "no dockerd (apt-get install docker.io)"),
);
describe.skipIf(noDocker !== undefined)(`Forgejo contract: real ${build.label} (testcontainers)`, () => contract(startContainerTarget));
