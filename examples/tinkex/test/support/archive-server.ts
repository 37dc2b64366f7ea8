import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the archive server sends for one checkpoint name: bytes, optionally cut after `cutAfter`. */
export interface ArchiveAnswer {
  body: Buffer;
  /** Send this many bytes, then destroy the socket. */
  cutAfter?: number;
  /** Send no Content-Length (chunked, as the emulator does). */
  chunked?: boolean;
  /** Send this many bytes, then nothing more, the socket left open (a server stopped mid-body). */
  stallAfter?: number;
}

/**
 * A loopback stand-in for Tinker's archive endpoint and the signed-URL host: `GET …/checkpoints/weights/
 * <name>/archive` answers 302 to `/dl/<name>.tar`, which serves `answers[name]`. Lets tests serve archives
 * the emulator never would (corrupt, truncated, malicious).
 */
export async function startArchiveServer(answers: Record<string, ArchiveAnswer>) {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const archive = /\/checkpoints\/weights\/([^/]+)\/archive$/.exec(url.pathname);
    if (archive) {
      res.writeHead(302, { location: `${base}/dl/${archive[1]}.tar` }).end();
      return;
    }
    const answer = answers[/^\/dl\/(.+)\.tar$/.exec(url.pathname)?.[1] ?? ''];
    if (!answer) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"not found"}');
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/x-tar',
      ...(answer.chunked ? {} : { 'content-length': answer.body.length }),
    });
    if (answer.stallAfter !== undefined) res.write(answer.body.subarray(0, answer.stallAfter));
    else if (answer.cutAfter === undefined) res.end(answer.body);
    else res.write(answer.body.subarray(0, answer.cutAfter), () => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
