// A minimal ustar writer for one regular file: enough for `docker load` and containerd to unpack a layer.

const BLOCK = 512;

function field(buf: Buffer, offset: number, length: number, value: string): void {
  buf.write(value, offset, Math.min(length, Buffer.byteLength(value)), "ascii");
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, "0") + "\0";
}

/** The 512-byte ustar header of a regular file (mode 0644, uid/gid 0, mtime 0 for reproducible digests). */
export function tarFileHeader(name: string, size: number): Buffer {
  if (Buffer.byteLength(name) > 100) throw new Error(`tar entry name too long: ${name}`);
  const h = Buffer.alloc(BLOCK);
  field(h, 0, 100, name);
  field(h, 100, 8, octal(0o644, 8));
  field(h, 108, 8, octal(0, 8));
  field(h, 116, 8, octal(0, 8));
  field(h, 124, 12, octal(size, 12)); // 11 octal digits: up to 8 GiB
  field(h, 136, 12, octal(0, 12));
  field(h, 148, 8, "        "); // checksum counts as spaces while summing
  field(h, 156, 1, "0");
  field(h, 257, 6, "ustar\0");
  field(h, 263, 2, "00");
  field(h, 265, 32, "root");
  field(h, 297, 32, "root");
  let sum = 0;
  for (const b of h) sum += b;
  field(h, 148, 8, sum.toString(8).padStart(6, "0") + "\0 ");
  return h;
}

/** Zero padding after `size` bytes of file data, up to the next 512-byte boundary. */
export function tarPadding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

/** The end-of-archive marker: two zero blocks. */
export function tarTrailer(): Buffer {
  return Buffer.alloc(BLOCK * 2);
}

/** Yields a whole one-file tar archive around a stream of file data of exactly `size` bytes. */
export function* tarOneFile(name: string, size: number, data: Iterable<Buffer>): Generator<Buffer> {
  yield tarFileHeader(name, size);
  yield* data;
  yield tarPadding(size);
  yield tarTrailer();
}
