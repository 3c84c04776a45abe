// `--help` text and the README tables come from the schema, never by hand.
import type { EnvSchema } from "./schema.js";
import { flagName } from "./schema.js";

/** Plain-text help listing every variable. */
export function envHelp(schema: EnvSchema): string {
  const width = Math.max(...schema.map((s) => s.name.length));
  return schema
    .map((s) => {
      const tags = [s.required ? "required" : undefined, s.secret ? "secret" : undefined, s.legacy ? "legacy" : undefined].filter(Boolean).join(", ");
      const dflt = s.default !== undefined ? ` (default: ${s.default === "" ? '""' : s.default})` : "";
      return `  ${s.name.padEnd(width)}  ${s.description}${dflt}${tags ? ` [${tags}]` : ""}\n  ${" ".repeat(width)}  flag: ${flagName(s.name)}`;
    })
    .join("\n");
}

/** Markdown table for README/docs. */
export function envTable(schema: EnvSchema): string {
  const rows = schema.map((s) => {
    const dflt = s.default === undefined ? "" : `\`${s.default}\``;
    const notes = [s.required ? "required" : "", s.secret ? "secret" : "", s.legacy ? "legacy name" : ""].filter(Boolean).join(", ");
    return `| \`${s.name}\` | ${s.description.replace(/\|/g, "\\|")} | ${dflt} | ${notes} |`;
  });
  return ["| Variable | Meaning | Default | Notes |", "|---|---|---|---|", ...rows].join("\n");
}
