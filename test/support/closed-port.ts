import net from 'node:net';

/**
 * A loopback port that was just freed: nothing listens there, so connecting is refused at once (for
 * dead-server tests), and a server started next may take it (redis-server in tests).
 */
export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
