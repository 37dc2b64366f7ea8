import { pipeline, Readable, type Transform } from 'node:stream';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Compression, DecompressOptions } from '../../ports/compression.js';
import { zstdDecodeStream } from './fzstd-decoder.js';
import { zstdCompressWasm } from './zstd-wasm.js';

const gzip = promisify(zlib.gzip);

/**
 * Bodies up to this size are compressed with node:zlib's synchronous call. Its callback form sends every
 * call through a stream and a thread-pool hop that cost 60–80 µs of CPU whatever the size (zstd on
 * Node 24: 90–110 µs per call against 25–30 µs for a 0.3–2.6 KiB body, e.g. a 0.25 forward_backward of
 * a few datums), and up to this size the synchronous call holds the event loop no longer than the
 * callback form's own share of it does (25–58 µs against 39–56 µs). Larger bodies keep the loop free.
 * Both forms write the same bytes.
 */
export const SYNC_COMPRESS_MAX_BYTES = 16 * 1024;

/** node:zlib's zstd (Node ≥ 22.15, 23.8), typed here because @types/node 20 does not declare it. */
interface NativeZstd {
  zstdCompress(
    body: Uint8Array,
    options: { pledgedSrcSize: number },
    callback: (error: Error | null, result: Buffer) => void,
  ): void;
  zstdCompressSync(body: Uint8Array, options: { pledgedSrcSize: number }): Buffer;
  createZstdDecompress(): Transform;
}

function nativeZstd(): NativeZstd | undefined {
  const candidate = zlib as unknown as Partial<NativeZstd>;
  return typeof candidate.zstdCompress === 'function' &&
    typeof candidate.zstdCompressSync === 'function' &&
    typeof candidate.createZstdDecompress === 'function'
    ? (candidate as NativeZstd)
    : undefined;
}

export interface ZlibCompressionOptions {
  /** Use node:zlib's zstd when this Node has it (default). `false` forces the WASM/JS fallback. */
  nativeZstd?: boolean;
}

/**
 * gzip or zstd request bodies; decode gzip, deflate, br and zstd responses as streams (never buffered
 * whole). zstd is node:zlib's where Node has it, else @bokuweb/zstd-wasm (compress) and fzstd (decode).
 */
export class ZlibCompression implements Compression {
  readonly encodings: readonly string[] = ['gzip', 'zstd'];
  private readonly zstd: NativeZstd | undefined;

  constructor(options: ZlibCompressionOptions = {}) {
    this.zstd = options.nativeZstd === false ? undefined : nativeZstd();
  }

  /** Whether zstd runs on node:zlib (true) or on the WASM/JS fallback (false). */
  get nativeZstd(): boolean {
    return this.zstd !== undefined;
  }

  async compress(body: Uint8Array, encoding = 'gzip'): Promise<{ body: Uint8Array; encoding: string }> {
    const coding = encoding.trim().toLowerCase();
    const small = body.byteLength <= SYNC_COMPRESS_MAX_BYTES;
    if (coding === 'gzip') return { body: small ? zlib.gzipSync(body) : await gzip(body), encoding: 'gzip' };
    if (coding === 'zstd') {
      const native = this.zstd;
      // The size up front puts it in the frame header, as the official Python client's frames carry it
      // (the callback form streams and, without it, leaves it out).
      const sized = { pledgedSrcSize: body.byteLength };
      const compressed = !native
        ? await zstdCompressWasm(body)
        : small
          ? native.zstdCompressSync(body, sized)
          : await promisify(native.zstdCompress.bind(zlib))(body, sized);
      return { body: compressed, encoding: 'zstd' };
    }
    throw new TypeError(`Cannot compress with "${encoding}": gzip and zstd are supported`);
  }

  decompress(
    body: AsyncIterable<Uint8Array>,
    encoding: string | undefined,
    maxBytes = Infinity,
    options: DecompressOptions = {},
  ): AsyncIterable<Uint8Array> {
    const coding = encoding?.trim().toLowerCase();
    if (!coding || coding === 'identity') return body;
    if (coding === 'zstd') {
      return this.zstd
        ? decodedThrough(body, this.zstd.createZstdDecompress())
        : zstdDecodeStream(body, maxBytes, options.whole === true);
    }
    const decoder =
      coding === 'gzip' || coding === 'x-gzip'
        ? zlib.createGunzip()
        : coding === 'deflate'
          ? zlib.createInflate()
          : coding === 'br'
            ? zlib.createBrotliDecompress()
            : undefined;
    // Passed through, the bytes of an unknown coding failed later as "not JSON" (or reached the caller
    // as if decoded); refused here, they fail as what they are.
    if (!decoder) return unsupported(body, coding);
    return decodedThrough(body, decoder);
  }
}

/**
 * `body` through `decoder`, with the body's failure passed on: `pipe` leaves the decoder waiting for
 * ever when its source errors (a connection cut mid-body hung the call), `pipeline` destroys the decoder
 * with the source's own (typed) error, and the source when the reader stops.
 */
function decodedThrough(body: AsyncIterable<Uint8Array>, decoder: Transform): Transform {
  pipeline(Readable.from(body), decoder, noop);
  return decoder;
}

/**
 * A coding this adapter cannot decode: the body is released and its reader gets the reason. Released by
 * a started iteration's `return`: a transport's body that was never started skips its own cleanup (the
 * connection stayed taken).
 */
// eslint-disable-next-line require-yield
async function* unsupported(body: AsyncIterable<Uint8Array>, coding: string): AsyncIterable<Uint8Array> {
  for await (const chunk of body) if (chunk) break;
  throw new TypeError(`unsupported Content-Encoding "${coding}" (gzip, deflate, br and zstd are decoded)`);
}

/** Failures reach the reader through the decoder; the callback only has to exist. */
const noop = (): void => {};
