// How an archive's tar entries are named (docs/archive-format.md), for both readers: the one pass
// that hashes every blob (archive-read.ts) and the header index that finds them again
// (tar-offsets.ts). They must agree on which entry holds which blob.

/** The name without leading `./` (tar writers differ; `./blobs/...` and `blobs/...` are one name). */
export function entryName(raw: string): string {
  return raw.replace(/^(\.\/)+/, "");
}

/** `blobs/<algo>/<hex>` as `<algo>:<hex>` (not yet checked as a digest); undefined for any other name. */
export function blobDigestText(name: string): string | undefined {
  const m = /^blobs\/([a-z0-9]+)\/([a-f0-9]+)$/.exec(name);
  return m ? `${m[1]}:${m[2]}` : undefined;
}
