import { afterEach, describe, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { GotTransport } from '../../src/adapters/transport/got-transport.js';
import { UndiciTransport } from '../../src/adapters/transport/undici-transport.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { SerializationError } from '../../src/kernel/errors/serialization-error.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { Ports } from '../../src/ports/index.js';
import { scriptedServer } from '../support/scripted-server.js';

// An answer without Content-Encoding that is far larger than any API answer (a broken server, a proxy
// that serves a file instead): a JSON or text body read whole is bound by maxDecompressedBytes as a
// compressed one is. Before, it was read to the end whatever its size: 1 GiB of JSON took 2.1 GB of
// memory and then failed with V8's "Cannot create a string longer than 0x1fffffe8 characters".
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

const LIMIT = 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 0x20); // JSON whitespace

/** Answers 4 MiB of JSON, with a Content-Length or chunked; stops writing when the client goes. */
async function serve(withLength: boolean) {
  const total = 64;
  const server = await scriptedServer((_req, res) => {
    res.writeHead(200, {
      'content-type': 'application/json',
      ...(withLength ? { 'content-length': total * CHUNK.length } : {}),
    });
    let sent = 0;
    const write = (): void => {
      while (sent < total && !res.destroyed) {
        sent++;
        if (!res.write(CHUNK)) {
          res.once('drain', write);
          return;
        }
      }
      if (!res.destroyed) res.end();
    };
    res.on('close', () => res.off('drain', write));
    write();
  });
  cleanups.push(server.close);
  return { url: server.url, hits: () => server.seen.length };
}

function kernelFor(baseUrl: string, transport: () => GotTransport | UndiciTransport) {
  const kernel = createKernel({ maxDecompressedBytes: LIMIT }).use(
    definePlugin({
      name: 'files',
      version: '1',
      defaults: { baseUrl, maxRetries: 2, breaker: false },
      retryPolicies: { default: { maxRetries: 2, initialDelayMs: 0, maxDelayMs: 0 } },
      manifest: {
        name: 'files',
        version: '1',
        endpoints: [
          { id: 'quota', method: 'GET', path: '/quota', response: Type.Object({ used: Type.Integer() }) },
          { id: 'notes', method: 'GET', path: '/notes', responseType: 'text' },
        ],
      },
    }),
  );
  kernel.register(Ports.Transport, transport());
  cleanups.push(() => kernel.close());
  return kernel;
}

describe.each([
  ['undici', () => new UndiciTransport()],
  ['got', () => new GotTransport()],
])('an uncompressed answer larger than maxDecompressedBytes (%s)', (_name, transport) => {
  it.each([
    ['a Content-Length', true, 'quota'],
    ['no Content-Length (chunked)', false, 'quota'],
    ['no Content-Length, a text endpoint', false, 'notes'],
  ])('with %s is a SerializationError naming the bound, not retried', async (_case, withLength, id) => {
    const server = await serve(withLength);
    const error = await kernelFor(server.url, transport)
      .call(id as 'quota', {})
      .then(
        () => 'resolved', // not the 4 MiB body: a failed expectation would print all of it
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as Error).message).toContain(`more than ${LIMIT} bytes`);
    expect((error as Error).message).toContain('maxDecompressedBytes');
    expect(server.hits()).toBe(1);
  });
});
