import { afterAll, beforeAll } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the server holds: its body's `size`, and how to answer it (200, `{ size }`). */
export interface HeldRequest {
  size: number;
  release: () => void;
}

export interface HoldingServer {
  /** `http://127.0.0.1:<port>`, once the file's `beforeAll` ran. */
  readonly url: string;
  /** Requests in arrival order; a test empties it (`held.length = 0`) when it starts afresh. */
  readonly held: HeldRequest[];
  /** Resolves once `n` requests are held. */
  heldCount(n: number): Promise<void>;
}

/**
 * A real server on 127.0.0.1 port 0 that holds every request (a JSON body with `size`) until the test
 * releases it, so tests see exactly which calls reached the wire, and in what order. Started and closed
 * by the calling file's `beforeAll` / `afterAll`.
 */
export function useHoldingServer(): HoldingServer {
  let server: http.Server;
  let arrived: () => void = () => {};
  const state = {
    url: '',
    held: [] as HeldRequest[],
    heldCount: (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => (state.held.length >= n ? resolve() : undefined);
        arrived = check;
        check();
      }),
  };
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const { size } = JSON.parse(Buffer.concat(chunks).toString()) as { size: number };
        // Idempotent: a test's cleanup may release what the test already released.
        const release = () => void (res.headersSent || res.writeHead(200).end(JSON.stringify({ size })));
        state.held.push({ size, release });
        arrived();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  return state;
}
