import { describe, expect, it } from '@jest/globals';
import { getEventListeners } from 'node:events';
import { UndiciTransport } from '../../../src/adapters/transport/undici-transport.js';
import { APITimeoutError, APIUserAbortError } from '../../../src/kernel/errors/api-errors.js';
import { bodyServerForFile } from '../../support/body-server.js';

/**
 * `UndiciResponse.readAll` is not raced against the attempt's deadline: undici keeps the deadline as the
 * request's signal until the body closes and destroys the body with its reason. These pin what the race
 * used to guarantee: the read ends with the typed reason however the attempt is cut short, never hangs,
 * and leaves nothing subscribed to the caller's signal.
 */
const { get } = bodyServerForFile();

const nextMacrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('UndiciResponse.readAll and the attempt deadline', () => {
  const transport = new UndiciTransport();
  afterAll(() => transport.close());

  it('rejects with the timeout when the deadline passes mid-body, and unsubscribes from the caller', async () => {
    const controller = new AbortController();
    const response = await transport.send(get('/stall', { timeoutMs: 150, signal: controller.signal }));
    const error = await response.readAll!().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(APITimeoutError);
    expect((error as Error).message).toMatch(/^Request timed out after 150 ms/);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('rejects a read begun after the caller aborted with the abort, and says until when undici holds it', async () => {
    const controller = new AbortController();
    const request = get('/whole', { signal: controller.signal });
    const response = await transport.send(request);
    // The whole body has arrived by the next macrotask; the attempt is cut short before it is read.
    await nextMacrotask();
    controller.abort();
    await expect(response.readAll!()).rejects.toBeInstanceOf(APIUserAbortError);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    // The kernel keeps the connection counted until undici has let go of the body.
    expect(request.heldUntil).toBeInstanceOf(Promise);
    await request.heldUntil;
  });

  it('settles a read the caller aborts in the same macrotask it began in (no hang)', async () => {
    const controller = new AbortController();
    const response = await transport.send(get('/stall', { signal: controller.signal }));
    // Boxed: resolving with the read itself would adopt it.
    const { reading } = await new Promise<{ reading: Promise<Uint8Array> }>((resolve) =>
      setImmediate(() => {
        const started = response.readAll!();
        controller.abort();
        resolve({ reading: started });
      }),
    );
    await expect(reading).rejects.toBeInstanceOf(APIUserAbortError);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('reads a complete body once, and the caller signal keeps no listener after it', async () => {
    const controller = new AbortController();
    const response = await transport.send(get('/whole', { signal: controller.signal }));
    expect(Buffer.from(await response.readAll!()).toString()).toBe('whole body');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
