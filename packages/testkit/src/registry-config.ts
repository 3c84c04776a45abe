// The distribution (registry:2) config the kit writes: the recipe from docs environment.md, plus auth.

/** Auth section inputs: htpasswd file path, or the token server's realm/service/issuer/cert bundle. */
export type RegistryAuthConfig =
  { kind: "none" } | { kind: "htpasswd"; path: string } | { kind: "token"; realm: string; service: string; issuer: string; rootCertBundle: string };

/** Everything that varies per started registry. */
export interface RegistryConfigInput {
  rootDir: string;
  port: number;
  secret: string;
  auth: RegistryAuthConfig;
}

/**
 * Builds config.yml as JSON (valid YAML). No `cache:` section on purpose: the in-memory
 * blob descriptor cache hides on-disk damage (distribution#3324 replays) until restart.
 */
export function registryConfig(input: RegistryConfigInput): string {
  const config: Record<string, unknown> = {
    version: 0.1,
    log: { level: "warn", accesslog: { disabled: true } },
    storage: {
      filesystem: { rootdirectory: input.rootDir },
      delete: { enabled: true },
      maintenance: { uploadpurging: { enabled: false } },
    },
    // A fixed secret keeps upload sessions valid across restart(), like a real deployment.
    http: { addr: `127.0.0.1:${input.port}`, secret: input.secret },
  };
  if (input.auth.kind === "htpasswd") {
    config.auth = { htpasswd: { realm: "regguard-testkit", path: input.auth.path } };
  } else if (input.auth.kind === "token") {
    const a = input.auth;
    config.auth = {
      token: { realm: a.realm, service: a.service, issuer: a.issuer, rootcertbundle: a.rootCertBundle },
    };
  }
  return JSON.stringify(config, null, 2) + "\n";
}
