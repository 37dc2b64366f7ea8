import type { IncomingMessage, ServerResponse } from 'node:http';

/** A handler's answer: JSON with a status, bytes of a content type, or a function that writes it itself. */
export type Answer =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | { status: number; bytes: Uint8Array; contentType: string }
  | { raw: (res: ServerResponse) => void };

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly field?: string,
    /** What of the refused request is known (model_id, seq_id), so its seq_id can be passed over. */
    readonly request?: { model_id?: string; seq_id?: number },
  ) {
    super(detail);
  }
}

export const ok = (body: unknown): Answer => ({ status: 200, body });

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  sendText(res, status, 'application/json', text, Buffer.byteLength(text), 'utf8', headers);
}

/**
 * Bodies up to this size are sent as latin1 strings (below); larger ones (a big forward/backward result)
 * as bytes, not copied into a string first. Also bounds the argument count of `String.fromCharCode`.
 */
export const LATIN1_BODY_MAX_BYTES = 8192;

/**
 * Answer `bytes` (a protobuf result) of `contentType`. A small body goes out as a latin1 string, one
 * character per byte, which Node writes back as the same bytes: the head and body then leave in one
 * socket write through the code JSON answers take (`sendText`), instead of the head and a Buffer queued
 * for a `writev` on a second path. In a fresh emulator that second path was part of what a 0.25 poll
 * cost over a JSON one (round 13, docs/performance.md).
 */
export function sendBytes(res: ServerResponse, status: number, contentType: string, bytes: Uint8Array): void {
  if (bytes.length > LATIN1_BODY_MAX_BYTES) {
    res.writeHead(status, { 'content-type': contentType, 'content-length': bytes.length });
    res.end(bytes);
    return;
  }
  sendText(res, status, contentType, latin1(bytes), bytes.length, 'latin1', NO_HEADERS);
}

/**
 * The latin1 string of `bytes` (char code = byte). Not `Buffer#toString('latin1')`, which needs a Buffer
 * (a JS-built one over a plain byte array), nor `TextDecoder('latin1')`, which decodes windows-1252.
 */
export const latin1 = (bytes: Uint8Array): string =>
  String.fromCharCode.apply(null, bytes as unknown as number[]);

const NO_HEADERS: Record<string, string> = {};

/** The head (type, length, extra headers in this order) and `text` in `encoding`, `length` bytes of it. */
function sendText(
  res: ServerResponse,
  status: number,
  contentType: string,
  text: string,
  length: number,
  encoding: 'utf8' | 'latin1',
  headers: Record<string, string>,
): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': length, ...headers });
  res.end(text, encoding);
}
