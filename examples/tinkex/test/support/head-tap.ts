import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/** One request as its bytes arrived: the head (request line and header lines) and the body's length. */
export interface TappedRequest {
  readonly head: string;
  readonly bodyBytes: number;
}

/**
 * A TCP tap in front of `target`: every byte passes through unchanged, and the client's request heads
 * are kept exactly as written (letter case, order, spacing), which an HTTP server's parsed headers
 * would not show. Bodies are framed by content-length (what undici sends for a buffered body).
 */
export async function headTap(target: string) {
  const upstream = new URL(target);
  const requests: TappedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const server = connect(Number(upstream.port), upstream.hostname);
    sockets.add(client).add(server);
    let pending = Buffer.alloc(0);
    let bodyLeft = 0;
    client.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        if (bodyLeft > 0) {
          const skipped = Math.min(bodyLeft, pending.length);
          bodyLeft -= skipped;
          pending = pending.subarray(skipped);
          if (bodyLeft > 0) return;
        }
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = pending.subarray(0, end).toString('latin1');
        const length = /\r\ncontent-length: (\d+)/i.exec(head);
        bodyLeft = length ? Number(length[1]) : 0;
        requests.push({ head, bodyBytes: bodyLeft });
        pending = pending.subarray(end + 4);
      }
    });
    client.pipe(server).pipe(client);
    const drop = () => {
      client.destroy();
      server.destroy();
    };
    client.on('error', drop).on('close', drop);
    server.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
