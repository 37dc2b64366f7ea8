import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import zlib from 'node:zlib';

/** A zlib (or zstd) compressing stream: a Transform with `flush`. */
type Transform = zlib.Gzip;

/** The codings the emulator can write (zstd only where node:zlib has it: Node ≥ 22.15 / 23.8). */
export type ResponseCoding = 'zstd' | 'gzip' | 'deflate' | 'br';
export const RESPONSE_CODINGS: readonly ResponseCoding[] = ['zstd', 'gzip', 'deflate', 'br'];

type ZstdZlib = { createZstdCompress?: () => Transform };
const createZstdCompress = (zlib as unknown as ZstdZlib).createZstdCompress;

/** What `compressResponses: true` prefers: a CDN's usual order. */
export const DEFAULT_RESPONSE_CODINGS: readonly ResponseCoding[] = ['zstd', 'br', 'gzip', 'deflate'];

/** The `compressResponses` option as the server's preference list (undefined: never compress). */
export function responseCodings(
  option: boolean | readonly string[] | undefined,
): readonly ResponseCoding[] | undefined {
  if (!option) return undefined;
  if (option === true) return DEFAULT_RESPONSE_CODINGS;
  if (!Array.isArray(option) || option.length === 0)
    throw new RangeError(`compressResponses must be true or a list of ${RESPONSE_CODINGS.join(', ')}`);
  for (const coding of option)
    if (!RESPONSE_CODINGS.includes(coding as ResponseCoding))
      throw new RangeError(
        `compressResponses: "${String(coding)}" is not one of ${RESPONSE_CODINGS.join(', ')}`,
      );
  return option as readonly ResponseCoding[];
}

/** Whether this Node can write `coding`. */
export const canWrite = (coding: ResponseCoding): boolean =>
  coding !== 'zstd' || typeof createZstdCompress === 'function';

function encoderFor(coding: ResponseCoding): Transform {
  if (coding === 'gzip') return zlib.createGzip();
  if (coding === 'deflate') return zlib.createDeflate();
  if (coding === 'br') return zlib.createBrotliCompress();
  if (!createZstdCompress) throw new RangeError('this Node cannot write zstd'); // chooseCoding never picks it
  return createZstdCompress();
}

/**
 * The first of the server's `preferred` codings that the request's `Accept-Encoding` accepts (a listed
 * name without `q=0`, or `*`) and this Node can write; undefined: answer uncompressed.
 */
export function chooseCoding(
  acceptEncoding: string | undefined,
  preferred: readonly ResponseCoding[],
): ResponseCoding | undefined {
  if (!acceptEncoding) return undefined;
  const accepted = new Map<string, boolean>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const refused = params.some((p) => /^\s*q\s*=\s*0(\.0*)?\s*$/.test(p));
    if (name) accepted.set(name.trim(), !refused);
  }
  return preferred.find((c) => canWrite(c) && (accepted.get(c) ?? accepted.get('*') ?? false));
}

/**
 * Compress everything `res` sends from now on with `coding`, as a CDN or an nginx with `gzip on` in front
 * of the service would: `Content-Length` dropped (the body goes chunked), `Content-Encoding` and `Vary`
 * set. Each `write` is flushed, so a streamed answer (the SSE sample stream) still reaches the client
 * event by event; backpressure goes through the encoder. Answers with no `Content-Type` (a redirect, a
 * 204, a bare 400) stay as they are, as nginx compresses only the types it lists.
 */
export function compressResponse(req: IncomingMessage, res: ServerResponse, coding: ResponseCoding): void {
  if (req.method === 'HEAD') return;
  const writeHead = res.writeHead.bind(res) as (status: number, headers: OutgoingHttpHeaders) => unknown;
  const write = res.write.bind(res) as (chunk: unknown, encoding?: BufferEncoding) => boolean;
  const end = res.end.bind(res) as (callback?: () => void) => void;
  (res as { writeHead: unknown }).writeHead = (status: number, headers: OutgoingHttpHeaders = {}) => {
    const typed = Object.keys(headers).some((name) => name.toLowerCase() === 'content-type');
    if (!typed || status < 200 || status === 204 || status === 304) return writeHead(status, headers);
    const kept: OutgoingHttpHeaders = { vary: 'accept-encoding' };
    for (const [name, value] of Object.entries(headers))
      if (name.toLowerCase() !== 'content-length') kept[name] = value;
    kept['content-encoding'] = coding;
    res.removeHeader('content-length');
    const out = encoderFor(coding);
    out.on('data', (chunk: Buffer) => {
      if (!write(chunk)) out.pause();
    });
    res.on('drain', () => out.resume());
    out.once('end', () => end());
    out.once('error', () => res.destroy());
    (res as { write: unknown }).write = (chunk: unknown, ...rest: unknown[]) => {
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      const encoding = rest.find((r) => typeof r === 'string') as BufferEncoding | undefined;
      const accepted = out.write(chunk, encoding ?? 'utf8');
      out.flush(() => callback?.());
      if (!accepted) out.once('drain', () => res.emit('drain'));
      return accepted;
    };
    (res as { end: unknown }).end = (chunk?: unknown, ...rest: unknown[]) => {
      const encoding = rest.find((r) => typeof r === 'string') as BufferEncoding | undefined;
      if (typeof chunk === 'function') out.end(chunk);
      else if (chunk !== undefined) out.end(chunk, encoding ?? 'utf8');
      else out.end();
      return res;
    };
    return writeHead(status, kept);
  };
}
