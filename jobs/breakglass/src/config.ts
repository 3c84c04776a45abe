// Environment (+ --flag overrides) -> typed configuration. Every problem is
// collected and reported at once (exit 2) before any request is made.
import { EnvReader, unknownFlags, flagName, type Env } from "@regguard/job-config";
import { DEFAULT_STALL_LIMIT, defaultScheme, parseReference, type Reference, type StallLimit } from "@regguard/oci-client";
import { BREAKGLASS_ENV } from "./env-schema.js";
import { parseDestination, type DestinationSpec } from "./destination-spec.js";
import { assertSafeName, plannedArchiveNames, type Compression } from "./names.js";
import { parsePlatformSelection, type PlatformSelection } from "./platform.js";

/** How to reach one registry. */
export interface RegistryAccess {
  url: URL;
  /** Refuse a token realm on another origin: set when REGISTRY_URL is (in-cluster, no hairpin through the public name). */
  pinRealm: boolean;
  username?: string;
  password?: string;
}

/** S3 client settings (shared by every s3:// destination). */
export interface S3Settings {
  endpoint?: URL;
  region: string;
  forcePathStyle: boolean;
  accessKeyId?: string;
  secretAccessKey?: string;
}

/** Everything `save` needs. */
export interface SaveConfig {
  image: Reference;
  /** The name the archive gives the image: host/path:tag, or host/path@digest. */
  imageName: string;
  registry: RegistryAccess;
  destinations: DestinationSpec[];
  archiveName: string;
  keep: number;
  platforms: PlatformSelection;
  compression: Compression;
  s3: S3Settings;
  /** Layers slower than this fail the save instead of holding it to the pod's deadline. */
  stall: StallLimit;
}

/** Positional arguments, skipping known --flag values. */
export function positionals(argv: readonly string[]): string[] {
  const valued = new Set(BREAKGLASS_ENV.filter((s) => s.kind !== "boolean").map((s) => flagName(s.name)));
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg.startsWith("--")) {
      if (!arg.includes("=") && valued.has(arg)) i++;
      continue;
    }
    out.push(arg);
  }
  return out;
}

/** The registry URL for a host: REGISTRY_URL, else http(s)://host. */
export function registryAccess(env: EnvReader, host: string): RegistryAccess {
  const explicit = env.url("REGISTRY_URL");
  // Unset: plain http on loopback only (oci-client's defaultScheme, as docker does), so
  // IMAGE=127.0.0.1:5000/x:y just works; set, it decides.
  const insecure = env.has("REGISTRY_INSECURE") ? env.boolean("REGISTRY_INSECURE") : defaultScheme(host) === "http";
  const username = env.string("REGISTRY_USERNAME");
  const password = env.string("REGISTRY_PASSWORD");
  if (password !== undefined && username === undefined) env.problem("REGISTRY_PASSWORD is set but REGISTRY_USERNAME is not");
  return {
    url: explicit ?? new URL(`${insecure ? "http" : "https"}://${host}`),
    pinRealm: explicit !== undefined,
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
  };
}

/** `save`: the whole schema. Throws ConfigError listing every problem. */
export function loadSaveConfig(rawEnv: Env, argv: readonly string[] = []): SaveConfig {
  const env = new EnvReader(BREAKGLASS_ENV, rawEnv, argv);
  for (const flag of unknownFlags(BREAKGLASS_ENV, argv)) env.problem(`unknown flag ${flag} (see --help)`);

  let image: Reference | undefined;
  const imageText = env.string("IMAGE");
  if (imageText !== undefined) {
    try {
      image = parseReference(imageText);
    } catch (e) {
      env.problem(`IMAGE: ${(e as Error).message}`);
    }
  }
  const registry = registryAccess(env, image?.registry ?? "invalid.invalid");

  const destinations: DestinationSpec[] = [];
  for (const entry of env.list("DESTINATIONS") ?? []) {
    const parsed = parseDestination(entry);
    if ("problem" in parsed) env.problem(parsed.problem);
    else if (destinations.some((d) => d.label === parsed.label)) env.problem(`DESTINATIONS lists ${parsed.label} twice`);
    else destinations.push(parsed);
  }
  if (env.has("DESTINATIONS") && destinations.length === 0 && env.problems.length === 0) env.problem("DESTINATIONS has no entries");

  const keep = env.integer("KEEP");
  const stallWindowMs = env.duration("TRANSFER_STALL_AFTER");
  const platformParsed = parsePlatformSelection(env.string("PLATFORM"));
  if ("problem" in platformParsed) env.problem(platformParsed.problem);
  const compression: Compression = env.enum("COMPRESS");

  const archiveName = env.string("ARCHIVE_NAME") ?? image?.repository.split("/").pop() ?? "";
  let nameOk = false;
  if (image || env.has("ARCHIVE_NAME")) {
    try {
      nameOk = assertSafeName("ARCHIVE_NAME", archiveName) === archiveName;
    } catch (e) {
      env.problem((e as Error).message);
    }
  }
  // The tag is valid for the registry but becomes part of a file name: a tag
  // the file rules refuse must stop the run here, not after the registry was read.
  if (image && nameOk) {
    try {
      plannedArchiveNames(archiveName, image.tag, compression);
    } catch (e) {
      env.problem((e as Error).message);
    }
  }

  const s3 = s3Settings(env);
  if (destinations.some((d) => d.kind === "s3") && (s3.accessKeyId === undefined) !== (s3.secretAccessKey === undefined)) {
    env.problem("S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together: set both (or neither, for the AWS default chain)");
  }

  const imageName = image ? `${image.registry}/${image.repository}${image.tag || !image.digest ? `:${image.tag ?? "latest"}` : `@${image.digest}`}` : "";
  return env.finish({
    image: image as Reference,
    imageName,
    registry,
    destinations,
    archiveName,
    keep,
    platforms: "problem" in platformParsed ? { all: true } : platformParsed,
    compression,
    s3,
    stall: { bytesPerSecond: DEFAULT_STALL_LIMIT.bytesPerSecond, windowMs: stallWindowMs },
  });
}

function s3Settings(env: EnvReader<typeof BREAKGLASS_ENV>): S3Settings {
  const endpoint = env.url("S3_ENDPOINT");
  const accessKeyId = env.string("S3_ACCESS_KEY_ID");
  const secretAccessKey = env.string("S3_SECRET_ACCESS_KEY");
  return {
    ...(endpoint ? { endpoint } : {}),
    region: env.string("S3_REGION"),
    forcePathStyle: env.boolean("S3_FORCE_PATH_STYLE"),
    ...(accessKeyId !== undefined ? { accessKeyId } : {}),
    ...(secretAccessKey !== undefined ? { secretAccessKey } : {}),
  };
}

/** `restore FILE REF`: the target reference and how to reach its registry. */
export function loadRestoreConfig(rawEnv: Env, argv: readonly string[], refText: string | undefined): { ref: Reference; registry: RegistryAccess } {
  const schema = BREAKGLASS_ENV.filter((s) => s.name.startsWith("REGISTRY_"));
  const env = new EnvReader(schema, rawEnv, argv);
  for (const flag of unknownFlags(schema, argv)) env.problem(`unknown flag ${flag} for restore (see --help)`);
  let ref: Reference | undefined;
  if (refText === undefined) env.problem("restore needs a target reference: restore FILE host[:port]/path/name[:tag]");
  else {
    try {
      ref = parseReference(refText);
    } catch (e) {
      env.problem(`REF: ${(e as Error).message}`);
    }
  }
  const registry = registryAccess(env, ref?.registry ?? "invalid.invalid");
  return env.finish({ ref: ref as Reference, registry });
}
