// A cheap look at an archive's head to learn which archive series a file belongs to (pruning).
import type { Readable } from "node:stream";
import { ANNOTATION, gunzipIfNeeded } from "@regguard/image-archive";
import tar from "tar-stream";

/** Entries looked at before giving up: directories, oci-layout, index.json come first. */
const HEAD_ENTRIES = 6;

/**
 * The archive series (ARCHIVE_NAME) recorded in index.json, or undefined when
 * the head is not a breakglass archive. Pruning deletes nothing it cannot
 * attribute this way (a file `infra-ci-x.tar` might belong to `infra`).
 */
export async function readArchiveIdentity(source: Readable): Promise<string | undefined> {
  let stream: Readable | undefined;
  const extract = tar.extract();
  let seen = 0;
  try {
    stream = await gunzipIfNeeded(source);
    stream.on("error", (e) => extract.destroy(e));
    stream.pipe(extract);
    for await (const entry of extract) {
      if (entry.header.name === "index.json" && (entry.header.size ?? 0) < 1024 * 1024) {
        const chunks: Buffer[] = [];
        for await (const c of entry) chunks.push(c as Buffer);
        const index = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { annotations?: Record<string, unknown> };
        const name = index.annotations?.[ANNOTATION.archiveName];
        return typeof name === "string" ? name : undefined;
      }
      entry.resume();
      if (++seen >= HEAD_ENTRIES) return undefined;
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    stream?.destroy();
    source.destroy();
    extract.destroy();
  }
}
