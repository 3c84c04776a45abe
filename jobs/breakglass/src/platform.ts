// PLATFORM=linux/amd64, a comma list, or all. A wanted platform without a
// variant matches every variant (linux/arm keeps v6 and v7).
import type { Platform } from "@regguard/oci-client";

/** Which platforms a save keeps. */
export type PlatformSelection = { all: true } | { all: false; wanted: Platform[] };

/** Parse PLATFORM; returns a problem string for the config pipeline on bad input. */
export function parsePlatformSelection(raw: string): PlatformSelection | { problem: string } {
  const text = raw.trim();
  if (text.toLowerCase() === "all") return { all: true };
  const wanted: Platform[] = [];
  for (const item of text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [os, architecture, variant, extra] = item.split("/");
    if (!os || !architecture || extra !== undefined || variant === "") {
      return { problem: `PLATFORM entry ${JSON.stringify(item)} is not os/arch[/variant] (e.g. linux/amd64), and PLATFORM is not "all"` };
    }
    wanted.push(variant ? { os, architecture, variant } : { os, architecture });
  }
  if (wanted.length === 0) return { problem: "PLATFORM is empty: give linux/amd64, a comma list, or all" };
  return { all: false, wanted };
}

/** Whether a platform is selected. */
export function platformMatches(selection: PlatformSelection, p: Platform | undefined): boolean {
  if (selection.all) return true;
  if (!p) return false;
  return selection.wanted.some((w) => w.os === p.os && w.architecture === p.architecture && (w.variant === undefined || w.variant === p.variant));
}

/** "all" or the comma list, for logs. */
export function selectionText(selection: PlatformSelection): string {
  return selection.all ? "all" : selection.wanted.map((p) => `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ""}`).join(",");
}
