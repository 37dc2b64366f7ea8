/**
 * zstd compression for Node versions without `zlib.zstdCompress` (before 22.15): @bokuweb/zstd-wasm,
 * a WebAssembly build of the reference library, loaded on first use (no native install step).
 */
let ready: Promise<typeof import('@bokuweb/zstd-wasm')> | undefined;

function load(): Promise<typeof import('@bokuweb/zstd-wasm')> {
  ready ??= import('@bokuweb/zstd-wasm').then(async (zstd) => {
    await zstd.init();
    return zstd;
  });
  return ready;
}

/** One zstd frame at the library's default level 3, with the content size in the frame header. */
export async function zstdCompressWasm(body: Uint8Array): Promise<Uint8Array> {
  const zstd = await load();
  return zstd.compress(body, 3);
}
