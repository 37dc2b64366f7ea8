import { describe, expect, it } from '@jest/globals';
import net from 'node:net';
import { closedPort } from './closed-port.js';

/** Dead-server tests rely on this port refusing at once, not on a timeout or on something answering. */
describe('closedPort', () => {
  it('gives a loopback port where a connection is refused', async () => {
    const port = await closedPort();
    expect(port).toBeGreaterThan(0);
    const error = await new Promise<NodeJS.ErrnoException>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        reject(new Error(`something listens on ${port}`));
      });
      socket.once('error', resolve);
    });
    expect(error.code).toBe('ECONNREFUSED');
  });
});
