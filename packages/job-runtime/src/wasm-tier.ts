// undici parses HTTP with llhttp compiled to WebAssembly, at the first
// connection. V8 compiles it twice: Liftoff (baseline) at once, then
// TurboFan (optimizing) in the background, and TurboFan's compile of
// llhttp's one huge parser function takes ~30 MiB of transient memory. For a
// job that streams large bodies the parser only reads headers and chunk
// framing, so the optimizing tier buys nothing measurable and costs a third
// of the memory budget. Measured with `pnpm bench:breakglass` (1 GiB save,
// figures in jobs/breakglass/README.md, Performance): about 25 MiB less
// peak RSS, same throughput.
//
// The flag must be set before the first connection compiles llhttp; a job's
// main calls this before runMain. Node allows V8 flags at run time
// (node:v8 setFlagsFromString) but not --liftoff-only in NODE_OPTIONS, so
// the image's NODE_OPTIONS cannot carry it.
import { setFlagsFromString } from "node:v8";

/** Compile WebAssembly with V8's baseline tier only (see the file comment for why). */
export function compileWasmBaselineOnly(): void {
  setFlagsFromString("--liftoff-only");
}
