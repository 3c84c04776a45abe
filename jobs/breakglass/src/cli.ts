// Subcommands and exit codes (job-runtime's EXIT): 0 ok, 1 a destination/verification/restore
// failed, 2 configuration or usage error (before any request), 3 a bug, 130 stopped.
import { ConfigError, envHelp } from "@regguard/job-config";
import { EXIT, type JobContext } from "@regguard/job-runtime";
import { OciError, RegistryClient } from "@regguard/oci-client";
import { loadRestoreConfig, loadSaveConfig, positionals } from "./config.js";
import { BREAKGLASS_ENV } from "./env-schema.js";
import { ArchiveInvalidError, BreakglassError, reason } from "./errors.js";
import { restoreArchive } from "./restore.js";
import { save } from "./save.js";
import { verifyArchive } from "./verify.js";

export const HELP = `
breakglass: daemonless image archives that docker load and ctr images import accept

Usage:
  breakglass save                 pull IMAGE and write <name>-<tag>.tar to every DESTINATION
  breakglass verify FILE          re-read an archive: blobs, manifests, manifest.json, sidecar
  breakglass restore FILE REF     push an archive's image to REF, keeping its manifest digest

Exit codes: 0 ok, 1 a destination, verification or restore failed, 2 configuration error,
3 internal error (a bug, logged as one; never 1), 130 stopped by a signal (temporary files removed, previous archives and latest untouched).
Every variable can also be given as a flag: IMAGE -> --image=...

Environment (save; restore reads the REGISTRY_* names for REF's registry):
${envHelp(BREAKGLASS_ENV)}
`;

/** The job: dispatch one subcommand, return its exit code. */
export async function run(ctx: JobContext): Promise<number> {
  const [command, ...rest] = positionals(ctx.argv);
  const flags = ctx.argv.filter((a) => a !== command);
  switch (command) {
    case "save":
      return runSave(ctx, flags, rest);
    case "verify":
      return runVerify(ctx, flags, rest);
    case "restore":
      return runRestore(ctx, flags, rest);
    default:
      throw new ConfigError([
        command
          ? `unknown command ${JSON.stringify(command)}: use save, verify or restore (see --help)`
          : "no command given: use save, verify FILE or restore FILE REF (see --help)",
      ]);
  }
}

async function runSave(ctx: JobContext, flags: string[], extra: string[]): Promise<number> {
  if (extra.length > 0)
    throw new ConfigError([`save takes no arguments, got ${extra.map((a) => JSON.stringify(a)).join(" ")}; configure it with environment variables`]);
  const cfg = loadSaveConfig(ctx.env, flags);
  const report = await save(cfg, { log: ctx.log, signal: ctx.signal, tty: process.stderr });
  // Stopped by SIGTERM/SIGINT: temporary files are gone, nothing was replaced; runMain exits 130.
  if (ctx.signal.aborted) throw ctx.signal.reason;
  const failed = report.destinations.filter((d) => !d.ok);
  ctx.log[report.ok ? "info" : "error"]("save finished", {
    ok: report.ok,
    image: report.image,
    digest: report.digest,
    file: report.file,
    sha256: report.sha256,
    size: report.size,
    saved: report.destinations.length - failed.length,
    failed: failed.length,
    destinations: report.destinations,
  });
  return report.ok ? EXIT.ok : EXIT.failed;
}

async function runVerify(ctx: JobContext, flags: string[], args: string[]): Promise<number> {
  if (args.length !== 1) throw new ConfigError(["verify takes exactly one FILE"]);
  if (flags.some((f) => f.startsWith("--"))) throw new ConfigError([`verify takes no flags, got ${flags.join(" ")}`]);
  const file = args[0] as string;
  try {
    const s = await verifyArchive(file);
    ctx.log.info("archive verified", {
      file,
      images: s.images.map((i) => ({ name: i.name, digest: i.descriptor.digest })),
      blobs: s.blobs.size,
      manifests: s.manifests.size,
      sha256: s.file.sha256,
      size: s.file.size,
      sidecar: s.sidecar,
    });
    return EXIT.ok;
  } catch (e) {
    return operational(ctx, "verification failed", e, { file });
  }
}

async function runRestore(ctx: JobContext, flags: string[], args: string[]): Promise<number> {
  if (args.length !== 2) throw new ConfigError(["restore takes FILE and REF: restore FILE host[:port]/path/name[:tag]"]);
  const [file, refText] = args as [string, string];
  const cfg = loadRestoreConfig(ctx.env, flags, refText);
  const client = new RegistryClient({
    url: cfg.registry.url,
    username: cfg.registry.username,
    password: cfg.registry.password,
    pinRealm: cfg.registry.pinRealm,
    userAgent: "regguard-breakglass",
    signal: ctx.signal,
  });
  try {
    await restoreArchive(file, client, cfg.ref, ctx.log);
    return EXIT.ok;
  } catch (e) {
    return operational(ctx, "restore failed", e, { file, ref: refText });
  } finally {
    await client.close();
  }
}

/** Known operational failures are exit 1 with their message; anything else is a bug for runMain. */
function operational(ctx: JobContext, msg: string, e: unknown, fields: Record<string, unknown>): number {
  if (!(e instanceof BreakglassError || e instanceof ArchiveInvalidError || e instanceof OciError)) throw e;
  ctx.log.error(msg, { ...fields, code: e.code, error: reason(e) });
  return EXIT.failed;
}
