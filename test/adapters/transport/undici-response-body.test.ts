import { describe, expect, it } from '@jest/globals';
import { UndiciTransport } from '../../../src/adapters/transport/undici-transport.js';
import { APIUserAbortError } from '../../../src/kernel/errors/api-errors.js';
import { bodyServerForFile } from '../../support/body-server.js';

/**
 * The undici adapter keeps undici's own header object when no header came twice, and adds no 'error'
 * listener to a body it is handed: undici adds one itself before it destroys a body on the signal's
 * abort. These pin what that must keep: repeated headers joined, and a body nobody reads yet that the
 * attempt's end (or `cancel`) destroys never surfaces as an unhandled 'error' event.
 */
const { get } = bodyServerForFile();

/** Long enough for undici's destroy and a stream's 'error' (emitted on a later tick) to have run. */
const settled = async () => {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

describe('UndiciTransport responses', () => {
  const transport = new UndiciTransport();
  afterAll(() => transport.close());

  it('joins a header sent twice with ", " and keeps single ones, lower-cased', async () => {
    const response = await transport.send(get('/repeated'));
    expect(response.headers['x-twice']).toBe('one, two');
    expect(response.headers['x-once']).toBe('single');
    expect(Object.values(response.headers).every((value) => typeof value === 'string')).toBe(true);
    expect(Buffer.from(await response.readAll!()).toString()).toBe('ok');
  });

  it.each(['/stall', '/whole'])(
    'lets the caller abort an attempt whose body (%s) nobody reads yet, without an unhandled error',
    async (path) => {
      const controller = new AbortController();
      const response = await transport.send(get(path, { signal: controller.signal }));
      await settled();
      controller.abort();
      // An 'error' event without a listener would throw here, as an uncaught exception of this test.
      await settled();
      await expect(response.readAll!()).rejects.toBeInstanceOf(APIUserAbortError);
    },
  );

  it('cancels a body that arrived whole and was never read, without an unhandled error', async () => {
    // undici destroys such a body with an abort error of its own (a stalled one it aborts first).
    const response = await transport.send(get('/whole'));
    await settled();
    response.cancel();
    await settled();
    expect(response.status).toBe(200);
  });
});
