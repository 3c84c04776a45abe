// DESTINATIONS entries: absolute local directories or s3://bucket/prefix.
import { redactText } from "@regguard/edge";
import { isAbsolute, normalize } from "node:path";

/** A parsed destination; `label` is safe to log. */
export type DestinationSpec = { kind: "local"; dir: string; label: string } | { kind: "s3"; bucket: string; prefix: string; label: string };

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Parse one entry, or return a problem naming it. */
export function parseDestination(raw: string): DestinationSpec | { problem: string } {
  const text = raw.trim();
  const shown = JSON.stringify(redactText(text).slice(0, 200));
  if (/[\x00-\x1f\x7f]/.test(text)) return { problem: `DESTINATIONS entry ${shown} contains control characters` };
  if (text.startsWith("s3://")) {
    const rest = text.slice("s3://".length);
    if (rest.includes("@")) return { problem: `DESTINATIONS entry ${shown}: put S3 credentials in S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY, not in the URL` };
    const [bucket = "", ...parts] = rest.split("/");
    if (!BUCKET.test(bucket)) return { problem: `DESTINATIONS entry ${shown}: ${JSON.stringify(bucket)} is not an S3 bucket name` };
    const segments = parts.filter((p) => p !== "");
    if (segments.some((s) => s === "." || s === "..")) return { problem: `DESTINATIONS entry ${shown}: the prefix must not contain . or .. segments` };
    const prefix = segments.join("/");
    return { kind: "s3", bucket, prefix, label: `s3://${bucket}${prefix ? `/${prefix}` : ""}` };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return { problem: `DESTINATIONS entry ${shown}: only absolute directories and s3:// URLs are supported` };
  if (!isAbsolute(text)) return { problem: `DESTINATIONS entry ${shown} must be an absolute directory (or s3://bucket/prefix)` };
  const dir = normalize(text).replace(/(.)\/+$/, "$1");
  return { kind: "local", dir, label: dir };
}
