import type { IncomingMessage, ServerResponse } from 'node:http';

/** A handler's answer: JSON with a status, bytes of a content type, or a function that writes it itself. */
export type Answer =
  /** `text`: `body` already serialized (a poll measured it), sent as it is instead of stringified again. */
  | { status: number; body?: unknown; headers?: Record<string, string>; text?: string }
  | { status: number; bytes: Buffer; contentType: string }
  | { raw: (res: ServerResponse) => void };

export class HttpError extends Error {
  constructor(
    readonly status: number,
    /** A message, or FastAPI's list of validation errors (a 422's `detail`). */
    readonly detail: string | readonly object[],
    readonly field?: string,
    /** What of the refused request is known (model_id, seq_id), so its seq_id can be passed over. */
    readonly request?: { model_id?: string; seq_id?: number },
  ) {
    super(typeof detail === 'string' ? detail : JSON.stringify(detail));
  }
}

export const ok = (body: unknown): Answer => ({ status: 200, body });

/**
 * The request body, refused with a 413 HttpError as soon as it is (or its `Content-Length` says it will
 * be) above `limit` bytes; nothing more of it is kept then.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => new HttpError(413, `the body is larger than ${limit / 2 ** 20} MiB`);
    if (Number(req.headers['content-length']) > limit) return reject(tooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size <= limit) return void chunks.push(c);
      req.off('data', onData);
      chunks.length = 0;
      reject(tooLarge());
    };
    req.on('data', onData);
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
  sendText(res, status, 'application/json', body === undefined ? '' : JSON.stringify(body), 'utf8', headers);
}

/**
 * Bodies up to this size are sent as latin1 text (see `sendBytes`); larger ones as the Buffer itself, so
 * that a big forward/backward result is not copied into a string and concatenated with the head.
 */
export const TEXT_BODY_MAX_BYTES = 16 * 1024;

/**
 * A binary answer (protobuf). A small one goes out as its latin1 text, byte for byte the same on the wire
 * (latin1 maps each byte to the code point of its value and back): Node then writes head and body in one
 * string write, the path every JSON answer takes, where a Buffer body makes it queue the head, cork the
 * socket and `writev` both, a second write path that a fresh emulator compiles during a 0.25 burst only
 * (docs/performance-notes.md, round 17 notes, branch `emu18`).
 */
export function sendBytes(res: ServerResponse, status: number, contentType: string, bytes: Buffer): void {
  if (bytes.length <= TEXT_BODY_MAX_BYTES)
    return sendText(res, status, contentType, bytes.toString('latin1'), 'latin1');
  res.writeHead(status, { 'content-type': contentType, 'content-length': bytes.length });
  res.end(bytes);
}

/** One text answer: `latin1` text is one byte per character, `utf8` is measured. */
export function sendText(
  res: ServerResponse,
  status: number,
  contentType: string,
  text: string,
  encoding: 'utf8' | 'latin1',
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': encoding === 'latin1' ? text.length : Buffer.byteLength(text),
    ...headers,
  });
  res.end(text, encoding);
}
