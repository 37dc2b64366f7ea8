import type { IncomingMessage, ServerResponse } from 'node:http';

/** A handler's answer: JSON with a status, bytes of a content type, or a function that writes it itself. */
export type Answer =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | { status: number; bytes: Buffer; contentType: string }
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
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}
