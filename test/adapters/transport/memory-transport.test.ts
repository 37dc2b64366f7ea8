import { describe, expect, it } from '@jest/globals';
import { MemoryTransport } from '../../../src/adapters/transport/memory-transport.js';
import { APITimeoutError, APIUserAbortError } from '../../../src/kernel/errors/api-errors.js';
import { createKernel } from '../../../src/defaults/kernel.js';
import { Ports } from '../../../src/ports/index.js';
import type { MemoryHandler } from '../../../src/adapters/transport/memory-transport.js';
import { thingsPlugin } from '../../kernel/fixtures/things-plugin.js';

function kernelWith(handler: MemoryHandler) {
  const transport = new MemoryTransport(handler);
  const kernel = createKernel().use(thingsPlugin());
  kernel.register(Ports.Transport, transport);
  return { kernel, transport };
}

describe('MemoryTransport', () => {
  it('takes an async handler answering the plain shape, with a JSON value as body', async () => {
    const { kernel, transport } = kernelWith(async (request) => ({
      status: 200,
      headers: { 'Content-Type': 'application/json' },
      body: { id: 't9', name: JSON.parse(String(request.body)).name, size: 2 },
    }));
    await expect(kernel.call('create_thing', { name: 'kettle', size: 2 })).resolves.toEqual({
      id: 't9',
      name: 'kettle',
      size: 2,
    });
    expect(transport.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST http://things.test/v1/things',
    ]);
  });

  it('takes a WHATWG Response, streamed body and headers included', async () => {
    const { kernel } = kernelWith(() =>
      Response.json({ id: 't1', name: 'lamp', size: 1 }, { status: 200, headers: { 'x-request-id': 'r-1' } }),
    );
    const result = await kernel.execute('get_thing', { id: 't1' });
    expect(result.body).toEqual({ id: 't1', name: 'lamp', size: 1 });
    expect(result.headers['x-request-id']).toBe('r-1');
  });

  it('maps a Response status like a server would: 404 is a typed, unretried error', async () => {
    const { kernel, transport } = kernelWith(
      () => new Response('{"detail":"no such thing"}', { status: 404 }),
    );
    await expect(kernel.call('get_thing', { id: 'nope' })).rejects.toMatchObject({
      name: 'NotFoundError',
      status: 404,
    });
    expect(transport.requests).toHaveLength(1);
  });

  it('lets an abort win over a handler that never answers', async () => {
    const { kernel } = kernelWith(() => new Promise(() => {}));
    const controller = new AbortController();
    const call = kernel.call('get_thing', { id: 't1' }, { signal: controller.signal });
    controller.abort();
    await expect(call).rejects.toBeInstanceOf(APIUserAbortError);
  });

  it("fails a pending handler at the attempt's timeout instead of hanging", async () => {
    const { kernel, transport } = kernelWith(() => new Promise(() => {}));
    await expect(
      kernel.call('get_thing', { id: 't1' }, { timeoutMs: 20, maxRetries: 1 }),
    ).rejects.toBeInstanceOf(APITimeoutError);
    // A timeout is a connection-class failure: retried within the budget like any slow server.
    expect(transport.requests).toHaveLength(2);
  });
});
