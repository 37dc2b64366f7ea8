import type { OutgoingHttpHeaders } from 'node:http';
import { scriptedServer } from './scripted-server.js';

/**
 * A loopback server that answers `headers` and `first`, then nothing (the socket left open, as a
 * stopped server leaves it) until the test writes `more(text)`. `socketReleased` resolves once the
 * client let the connection go.
 */
export async function stallingServer(headers: OutgoingHttpHeaders, first: string) {
  let released!: () => void;
  const socketReleased = new Promise<void>((resolve) => (released = resolve));
  let write: ((text: string) => void) | undefined;
  const server = await scriptedServer((_req, res) => {
    res.writeHead(200, headers);
    res.write(first);
    write = (text) => res.write(text);
    res.on('close', released);
  });
  return { ...server, socketReleased, more: (text: string) => write?.(text) };
}
