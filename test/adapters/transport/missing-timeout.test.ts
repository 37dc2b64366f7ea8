import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GotTransport } from '../../../src/adapters/transport/got-transport.js';
import { UndiciTransport } from '../../../src/adapters/transport/undici-transport.js';
import { ValidationError } from '../../../src/kernel/errors/validation-error.js';
import type { Transport, TransportRequest } from '../../../src/ports/transport.js';
import { json, scriptedServer } from '../../support/scripted-server.js';

/*
 * Round 37's review: a plugin author calling a transport from JS without `timeoutMs` (the port requires
 * it: "the attempt's deadline, always set") got a request cut at once with "timed out after undefined
 * ms". The port promises every attempt a deadline, so a request without one is refused, naming the field,
 * before anything is sent.
 */
let server: Awaited<ReturnType<typeof scriptedServer>>;
beforeAll(async () => {
  server = await scriptedServer((_req, res) => json(res, 200, {}));
});
afterAll(() => server.close());

describe.each([
  ['undici', () => new UndiciTransport()],
  ['got', () => new GotTransport()],
] as [string, () => Transport][])('%s transport', (_name, make) => {
  it.each([undefined, Number.NaN, -1, Infinity])('refuses timeoutMs %p before sending', async (timeoutMs) => {
    const transport = make();
    try {
      const request = { method: 'GET', url: `${server.url}/x`, headers: {}, redirect: 'manual', timeoutMs };
      const error = await transport.send(request as unknown as TransportRequest).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).message).toMatch(/timeoutMs/);
      expect(server.seen).toHaveLength(0);
    } finally {
      await transport.close?.();
    }
  });
});
