import net, { type AddressInfo } from 'node:net';

/** How the proxy fails every request it gets (a CONNECT, or an absolute-URI request). */
export type ProxyFailure = 'closes' | 'answers 407' | 'answers 502' | 'never answers';

const ANSWERS: Partial<Record<ProxyFailure, string>> = {
  'answers 407':
    'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="p"\r\nContent-Length: 0\r\n\r\n',
  'answers 502': 'HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n',
};

/**
 * A proxy on loopback that fails every tunnel one way and counts the connections made to it, so a test
 * can see a client that reconnects in a loop. `onRequest` runs when a request's first bytes arrive.
 * The first `tunnelFirst` CONNECTs are honoured, so a test can let one call through and fail the next.
 */
export async function misbehavingProxy(failure: ProxyFailure, { tunnelFirst = 0 } = {}) {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const proxy = {
    url: '',
    get connections() {
      return connections;
    },
    onRequest: () => {},
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.once('data', (head: Buffer) => {
      if (connections <= tunnelFirst) return tunnel(socket, head);
      proxy.onRequest();
      if (failure === 'closes') socket.destroy();
      else if (ANSWERS[failure]) socket.end(ANSWERS[failure]);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

/** Honour a CONNECT: connect to the target it names and splice the two sockets. */
function tunnel(socket: net.Socket, head: Buffer) {
  const [host, port] = head.toString('latin1').split(' ')[1].split(':');
  const upstream = net.connect(Number(port), host, () => {
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  upstream.on('error', () => socket.destroy());
  socket.on('close', () => upstream.destroy());
}
