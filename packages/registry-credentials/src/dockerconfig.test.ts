import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { basicAuth, dockerConfig, renderSecret } from "./dockerconfig.js";

const creds = [
  { group: "registry2" as const, hosts: ["registry.viktorbarzin.me", "registry.viktorbarzin.me:5050"], username: "viktor", token: "r2-pass" },
  { group: "forgejo" as const, hosts: ["forgejo.viktorbarzin.me"], username: "cluster-puller", token: "tok:with:colons" },
];

describe("dockerconfig", () => {
  it("auth is base64(user:token) and survives colons in the token", () => {
    const auth = basicAuth("cluster-puller", "tok:with:colons");
    expect(Buffer.from(auth, "base64").toString()).toBe("cluster-puller:tok:with:colons");
  });

  it("writes one entry per host with username, password and auth", () => {
    const cfg = dockerConfig(creds);
    expect(Object.keys(cfg.auths)).toEqual(["registry.viktorbarzin.me", "registry.viktorbarzin.me:5050", "forgejo.viktorbarzin.me"]);
    expect(cfg.auths["forgejo.viktorbarzin.me"]).toEqual({
      username: "cluster-puller",
      password: "tok:with:colons",
      auth: basicAuth("cluster-puller", "tok:with:colons"),
    });
  });

  it("renders a parseable dockerconfigjson Secret", () => {
    const doc = parse(renderSecret({ secretName: "registry-credentials", namespace: "kyverno", credentials: creds }));
    expect(doc).toMatchObject({ apiVersion: "v1", kind: "Secret", type: "kubernetes.io/dockerconfigjson" });
    expect(doc.metadata).toMatchObject({ name: "registry-credentials", namespace: "kyverno" });
    const json = JSON.parse(Buffer.from(doc.data[".dockerconfigjson"], "base64").toString());
    expect(json).toEqual(dockerConfig(creds));
  });
});
