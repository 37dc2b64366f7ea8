import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Answers a request itself (and returns true), returns false to let it through to the target, or a
 * promise to let it through once the promise settles (a request held at the proxy).
 */
export type Intercept = (
  req: IncomingMessage,
  body: Buffer,
  res: ServerResponse,
) => boolean | Promise<unknown>;

/**
 * A loopback proxy in front of `target`: each request's body is read whole, shown to `intercept`, and
 * forwarded unchanged (at once, or when `intercept`'s promise settles) unless `intercept` answered it.
 */
export async function forwardingProxy(target: string, intercept: Intercept) {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const verdict = intercept(req, body, res);
      const forward = () => send(req, body, res);
      if (verdict === false) forward();
      else if (verdict !== true) void verdict.then(forward, forward);
    });
  });
  function send(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    forward.end(body);
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A loopback proxy in front of `target` that answers 404 for paths matching `hide`, as a server without
 * that (extension) endpoint would, and forwards everything else unchanged.
 */
export function hidingProxy(target: string, hide: RegExp) {
  return forwardingProxy(target, (req, _body, res) => {
    if (!hide.test(req.url ?? '')) return false;
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Not Found"}');
    return true;
  });
}
