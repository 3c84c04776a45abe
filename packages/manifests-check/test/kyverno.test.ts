// The registry-credentials Secret template, the command that builds the real
// one, and the ClusterPolicy that clones it must agree with each other.
import { join } from "node:path";
import { dockerConfig, readConfig, renderSecret } from "@regguard/registry-credentials";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { k8sObjects, loadYamlFile, repoRoot, type K8sObject } from "../src/index.js";

const root = repoRoot();
const template = k8sObjects(loadYamlFile(join(root, "manifests/kyverno/registry-credentials.template.yaml")).docs)[0]?.value as K8sObject;
const policy = k8sObjects(loadYamlFile(join(root, "manifests/kyverno/cluster-policy.yaml")).docs)[0]?.value as K8sObject;
const DUMMY = {
  REGISTRY2_USERNAME: "viktor",
  REGISTRY2_TOKEN: "dummy-1",
  DOCKERHUB_USERNAME: "viktorbarzin",
  DOCKERHUB_TOKEN: "dummy-2",
  FORGEJO_TOKEN: "dummy-3",
};

describe("registry-credentials", () => {
  const generated = parse(renderSecret(readConfig(DUMMY))) as K8sObject & { type: string; data: Record<string, string> };
  const templateAuths = JSON.parse((template.stringData as Record<string, string>)[".dockerconfigjson"] as string).auths as Record<
    string,
    { username: string }
  >;

  it("template and command agree on name, namespace, type and the auths keys in order (Forgejo 4th)", () => {
    expect(template.metadata).toEqual(generated.metadata);
    expect(template.type).toBe(generated.type);
    const generatedAuths = JSON.parse(Buffer.from(generated.data[".dockerconfigjson"] as string, "base64").toString()).auths;
    expect(Object.keys(templateAuths)).toEqual(Object.keys(generatedAuths));
    expect(Object.keys(templateAuths)[3]).toBe("forgejo.viktorbarzin.me");
    expect(templateAuths["forgejo.viktorbarzin.me"]?.username).toBe("cluster-puller");
  });

  it("template holds placeholders only, never a credential", () => {
    for (const entry of Object.values(templateAuths)) {
      for (const value of Object.values(entry)) expect(value).toMatch(/^<[^>]+>$|^cluster-puller$/);
    }
  });

  it("the command's entries carry auth = base64(user:token)", () => {
    const auths = dockerConfig(readConfig(DUMMY).credentials).auths;
    expect(Buffer.from(auths["forgejo.viktorbarzin.me"]?.auth ?? "", "base64").toString()).toBe("cluster-puller:dummy-3");
  });

  it("the ClusterPolicy clones exactly that Secret into every namespace and keeps it in sync", () => {
    const spec = policy.spec as { generateExisting?: boolean; rules: Array<{ match: unknown; exclude?: unknown; generate: Record<string, unknown> }> };
    const rule = spec.rules[0];
    expect(policy.metadata?.name).toBe("sync-registry-credentials");
    expect(spec.generateExisting).toBe(true);
    expect(rule?.match).toEqual({ any: [{ resources: { kinds: ["Namespace"] } }] });
    expect(rule?.generate).toMatchObject({
      apiVersion: "v1",
      kind: "Secret",
      name: template.metadata?.name,
      namespace: "{{request.object.metadata.name}}",
      synchronize: true,
      clone: { namespace: template.metadata?.namespace, name: template.metadata?.name },
    });
  });
});
