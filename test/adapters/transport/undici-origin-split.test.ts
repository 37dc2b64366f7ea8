import { Readable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import type { Dispatcher } from 'undici';
import { UndiciTransport } from '../../../src/adapters/transport/undici-transport.js';
import type { TransportRequest } from '../../../src/ports/transport.js';

/** Records the origin and path undici is asked for, and answers 204 at once. */
function recordingDispatcher(seen: string[]): Dispatcher {
  return {
    request(options: { origin: string; path: string }) {
      seen.push(`${options.origin} ${options.path}`);
      const body = Object.assign(Readable.from([]), { arrayBuffer: async () => new ArrayBuffer(0) });
      return Promise.resolve({ statusCode: 204, headers: {}, body });
    },
  } as unknown as Dispatcher;
}

const get = (url: string): TransportRequest => ({
  method: 'GET',
  url,
  headers: {},
  timeoutMs: 5_000,
  redirect: 'manual',
});

describe('UndiciTransport origin/path split', () => {
  it('sends each URL to its own origin, however alike the origins and whatever came before', async () => {
    const seen: string[] = [];
    const transport = new UndiciTransport({ dispatcher: recordingDispatcher(seen) });
    for (const url of [
      'http://api.test:8/a',
      'http://api.test:8/b?x=1',
      'http://api.test:81/c',
      'http://api.test:8/d',
      'http://api.test:8',
      'http://api.test:8/e',
    ]) {
      const response = await transport.send(get(url));
      response.cancel();
    }
    expect(seen).toEqual([
      'http://api.test:8 /a',
      'http://api.test:8 /b?x=1',
      'http://api.test:81 /c',
      'http://api.test:8 /d',
      'http://api.test:8 /',
      'http://api.test:8 /e',
    ]);
    await transport.close();
  });

  it('sends a URL seen before the same way, also past the number of URLs it remembers', async () => {
    const seen: string[] = [];
    const transport = new UndiciTransport({ dispatcher: recordingDispatcher(seen) });
    const urls = Array.from({ length: 600 }, (_, i) => `http://api.test:${8000 + (i % 3)}/p/${i}?q=${i}`);
    for (const url of [...urls, ...urls.slice(0, 5), ...urls.slice(-5)]) {
      const response = await transport.send(get(url));
      response.cancel();
    }
    const expected = (i: number) => `http://api.test:${8000 + (i % 3)} /p/${i}?q=${i}`;
    expect(seen).toEqual([
      ...urls.map((_, i) => expected(i)),
      ...[0, 1, 2, 3, 4].map(expected),
      ...[595, 596, 597, 598, 599].map(expected),
    ]);
    await transport.close();
  });
});
