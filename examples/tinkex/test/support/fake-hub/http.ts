import type { IncomingMessage, ServerResponse } from 'node:http';

/** One request as the fake Hub saw it (the token itself is never kept, only whether it was valid). */
export interface SeenRequest {
  method: string;
  /** Path and query. */
  url: string;
  /** `none`, `valid` or `invalid`. */
  auth: 'none' | 'valid' | 'invalid';
  /** Whether any Authorization header came at all (for hosts that must never get one). */
  authorization: boolean;
  host: 'hub' | 'cdn';
}

export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The user the Bearer token belongs to, if it is a known token. */
  user?: string;
  /** Die mid-body: send the headers and half the bytes of a download, then drop the connection. */
  cut?: boolean;
  body(): Promise<Buffer>;
  json(status: number, value: unknown, headers?: Record<string, string>): void;
  /**
   * An error as the Hub sends it: the message in an `X-Error-Message` header (and the kind in
   * `X-Error-Code`), the body `{"error": …}`, or for a file (`/resolve/`, `textErrors`) the message as
   * plain text. `rewrite` (FakeHubOptions.errorMessage) stands for a server that says something else.
   */
  fail(status: number, message: string, code?: string): void;
  /** Errors of this exchange have a plain-text body (file downloads), not JSON. */
  textErrors?: boolean;
}

export function exchange(
  req: IncomingMessage,
  res: ServerResponse,
  base: string,
  user?: string,
  rewrite: (message: string, req: IncomingMessage) => string = (message) => message,
): Exchange {
  let body: Promise<Buffer> | undefined;
  const x: Exchange = {
    req,
    res,
    url: new URL(req.url ?? '/', base),
    user,
    body: () =>
      (body ??= new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => resolve(Buffer.concat(chunks)));
        req.on('error', reject);
      })),
    json(status, value, headers = {}) {
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value));
    },
    fail(status, message, code) {
      const said = rewrite(message, req);
      res
        .writeHead(status, {
          'content-type': x.textErrors ? 'text/plain; charset=utf-8' : 'application/json',
          'x-error-message': said,
          ...(code ? { 'x-error-code': code } : {}),
        })
        .end(x.textErrors ? said : JSON.stringify({ error: said }));
    },
  };
  return x;
}

/** `Range: bytes=a-b` → [start, end] (inclusive), clamped to the size; undefined without one. */
export function parseRange(header: string | undefined, size: number): [number, number] | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header ?? '');
  if (!m) return undefined;
  const start = m[1] === '' ? Math.max(0, size - Number(m[2])) : Number(m[1]);
  const end = m[2] === '' || m[1] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  return [start, end];
}

/** Send `content` (or the requested range of it) with the given headers; HEAD gets headers only. */
export function sendContent(x: Exchange, content: Buffer, headers: Record<string, string>): void {
  const range = parseRange(x.req.headers.range, content.length);
  const base = { 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream', ...headers };
  const [status, body, extra] = range
    ? [
        206,
        content.subarray(range[0], range[1] + 1),
        { 'content-range': `bytes ${range[0]}-${range[1]}/${content.length}` },
      ]
    : [200, content, {}];
  x.res.writeHead(status, { ...base, ...extra, 'content-length': String(body.length) });
  if (x.cut && x.req.method === 'GET') {
    x.res.flushHeaders();
    x.res.socket?.end(body.subarray(0, body.length >> 1), () => x.res.destroy());
    return;
  }
  x.res.end(x.req.method === 'HEAD' ? undefined : body);
}
