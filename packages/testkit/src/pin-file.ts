// The kit's pins (forgejo.pin, versitygw.pin): KEY=VALUE lines, `#` comments, read by bash and by
// node alike, so a version lives in exactly one file.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** The KEY=VALUE pairs of a pin file; the last line of a key wins, as in the scripts' `sed | tail -n 1`. */
export function readPinFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

/** Where the setup scripts cache what they built: ${REGGUARD_CACHE:-$HOME/.cache/regguard}. */
export function buildCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.REGGUARD_CACHE ?? join(homedir(), ".cache", "regguard");
}
