// Environment (and non-secret flags) -> a validated list of credentials.
// Every problem is collected before anything is printed.
import { ConfigError, EnvReader, unknownFlags } from "@regguard/job-config";
import { CREDENTIALS_ENV, GROUPS, GROUP_PREFIX, type Group } from "./env-schema.js";
import { hostProblem } from "./hosts.js";
import { resolveSecretFiles, type Env } from "./secret-files.js";

/** One login and the auths keys it is written under. */
export interface Credential {
  readonly group: Group;
  readonly hosts: readonly string[];
  readonly username: string;
  readonly token: string;
}

/** Everything needed to render the Secret. */
export interface CredentialsConfig {
  readonly secretName: string;
  readonly namespace: string;
  readonly credentials: readonly Credential[];
}

/** Flags that are not environment variables. */
export const EXTRA_FLAGS = ["--output", "--help"] as const;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// Control characters would corrupt the JSON-in-base64 or the Basic header.
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Reads and validates; throws ConfigError listing every problem. */
export function readConfig(env: Env, argv: readonly string[] = []): CredentialsConfig {
  const problems: string[] = [];
  // Tokens on the command line end up in `ps` and shell history.
  for (const arg of argv) {
    if (/^--[a-z0-9-]+-token(-file)?(=|$)/.test(arg)) {
      problems.push(`${arg.split("=")[0]}: pass tokens as environment variables or *_FILE, not as flags`);
    }
  }
  const cleanArgv = argv.filter((a) => !/^--[a-z0-9-]+-token/.test(a));
  for (const flag of unknownFlags(CREDENTIALS_ENV, cleanArgv, [...EXTRA_FLAGS])) problems.push(`unknown flag ${flag}`);

  const resolved = resolveSecretFiles(CREDENTIALS_ENV, env);
  problems.push(...resolved.problems);
  const r = new EnvReader(CREDENTIALS_ENV, resolved.env, cleanArgv);

  const secretName = r.string("SECRET_NAME");
  if (!DNS_SUBDOMAIN.test(secretName)) r.problem(`SECRET_NAME ${JSON.stringify(secretName)} is not a valid Secret name`);
  const namespace = r.string("SECRET_NAMESPACE");
  if (!DNS_LABEL.test(namespace)) r.problem(`SECRET_NAMESPACE ${JSON.stringify(namespace)} is not a valid namespace`);

  const include = r.list("INCLUDE");
  if (include.length === 0) r.problem("INCLUDE must name at least one of " + GROUPS.join(", "));
  const groups: Group[] = [];
  for (const name of include) {
    if (!(GROUPS as readonly string[]).includes(name)) r.problem(`INCLUDE: unknown group ${JSON.stringify(name)} (known: ${GROUPS.join(", ")})`);
    else if (groups.includes(name as Group)) r.problem(`INCLUDE: ${name} is listed twice`);
    else groups.push(name as Group);
  }

  const credentials: Credential[] = [];
  const seen = new Map<string, string>();
  // Written in the fixed GROUPS order so the output is stable whatever INCLUDE says.
  for (const group of GROUPS.filter((g) => groups.includes(g))) {
    const c = readGroup(r, group, seen);
    if (c) credentials.push(c);
  }
  problems.push(...r.problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return { secretName, namespace, credentials };
}

function readGroup(r: EnvReader, group: Group, seen: Map<string, string>): Credential | undefined {
  const p = GROUP_PREFIX[group];
  const hosts = r.list(`${p}_HOSTS`) ?? [];
  if (hosts.length === 0) r.problem(`${p}_HOSTS must list at least one host`);
  for (const host of hosts) {
    const problem = hostProblem(`${p}_HOSTS`, host);
    if (problem) r.problem(problem);
    const owner = seen.get(host);
    if (owner) r.problem(`${p}_HOSTS: ${host} is already used by ${owner}`);
    seen.set(host, `${p}_HOSTS`);
  }
  const username = r.string(`${p}_USERNAME`);
  if (username === undefined) r.problem(`${p}_USERNAME is required when INCLUDE has ${group}`);
  else if (username.includes(":") || CONTROL.test(username) || username.trim() !== username) {
    r.problem(`${p}_USERNAME must not contain ':', control characters or surrounding spaces`);
  }
  const token = r.string(`${p}_TOKEN`);
  if (token === undefined) r.problem(`${p}_TOKEN (or ${p}_TOKEN_FILE) is required when INCLUDE has ${group}`);
  else if (CONTROL.test(token) || token.trim() !== token) {
    // The value is never echoed: only its variable name.
    r.problem(`${p}_TOKEN must not contain control characters, newlines or surrounding spaces`);
  }
  if (username === undefined || token === undefined) return undefined;
  return { group, hosts, username, token };
}
