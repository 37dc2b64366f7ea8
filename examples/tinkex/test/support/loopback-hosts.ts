import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { closedPort } from '../../../../test/support/closed-port.js';

/** A loopback HTTP server that records the headers of every request (and CONNECT) it receives. */
export interface Host {
  url: string;
  seen: http.IncomingHttpHeaders[];
  close(): Promise<void>;
}

async function listen(server: http.Server, seen: http.IncomingHttpHeaders[]): Promise<Host> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A careless Tinker lookalike: every request is refused with 401, and every header it received is
 * echoed back, in response headers and in the JSON error body. Paths starting `/hang` never answer.
 */
export function startEchoingApi(): Promise<Host> {
  const seen: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on('end', () => {
      if (req.url?.includes('/hang')) return;
      const echo: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === 'string' && name !== 'host' && name !== 'content-length')
          echo[`x-echo-${name}`] = value;
      }
      res.writeHead(401, { ...echo, 'content-type': 'application/json' });
      res.end(JSON.stringify({ detail: `invalid credentials ${Object.values(echo).join(' ')}`, echo }));
    });
  });
  return listen(server, seen);
}

/**
 * Forward every request to `upstream()` unchanged (absolute-URI proxy requests too) and hand the
 * response to `rewrite` before piping it back. CONNECT requests are tunnelled, as a forward proxy does.
 */
export function startForwarder(
  upstream: () => string,
  rewrite: (headers: http.IncomingHttpHeaders) => http.IncomingHttpHeaders = (h) => h,
): Promise<Host> {
  const seen: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    const target = req.url!.startsWith('http') ? req.url! : `${upstream()}${req.url}`;
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const forward = http.request(target, { method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode!, rewrite(answer.headers));
      answer.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  server.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    seen.push(req.headers);
    const [host, port] = req.url!.split(':');
    const tunnel = net.connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      tunnel.write(head);
      tunnel.pipe(socket);
      socket.pipe(tunnel);
    });
    tunnel.on('error', () => socket.destroy());
    socket.on('error', () => tunnel.destroy());
  });
  return listen(server, seen);
}

/** A loopback URL on which nothing listens: connections are refused. */
export async function refusedUrl(): Promise<string> {
  return `http://127.0.0.1:${await closedPort()}`;
}
