import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { MemoryTransport } from '../../src/adapters/transport/memory-transport.js';
import { GotTransport } from '../../src/adapters/transport/got-transport.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { ValidationError } from '../../src/kernel/errors/validation-error.js';
import { NotFoundError } from '../../src/kernel/errors/api-errors.js';
import { Ports } from '../../src/ports/index.js';
import type { TransportRequest } from '../../src/ports/transport.js';
import { createThingsApi } from './fixtures/things-api.js';
import { thingsPlugin } from './fixtures/things-plugin.js';
import { startThingsServer } from './fixtures/things-server.js';

function memoryThings() {
  const api = createThingsApi();
  return new MemoryTransport((req: TransportRequest) => {
    const url = new URL(req.url);
    return api(req.method, url.pathname + url.search, typeof req.body === 'string' ? req.body : '');
  });
}

/** The same scenario, whatever the transport: create two things, read one back, list them. */
async function scenario(kernel: ReturnType<typeof buildKernel>) {
  const a = await kernel.call('create_thing', { name: 'anvil', size: 3 });
  const b = await kernel.call('create_thing', { name: 'bell', size: 1, tags: ['x'] });
  const got = await kernel.call('get_thing', { id: b.id });
  const list = await kernel.call('list_things', { limit: 1, offset: 1 });
  // Typed results: these property accesses only compile because types are inferred from the manifest.
  const sizes: number[] = [a.size, got.size, ...list.items.map((t) => t.size)];
  return { a, b, got, list, sizes };
}

function buildKernel(baseUrl?: string) {
  return createKernel().use(thingsPlugin(baseUrl ? { defaults: { baseUrl } } : {}));
}

describe('kernel.call', () => {
  // Each test gets a fresh server: the things API numbers ids per server, so a shared one would make
  // ids and totals depend on which test ran first.
  let server: Awaited<ReturnType<typeof startThingsServer>>;
  beforeEach(async () => {
    server = await startThingsServer();
  });
  afterEach(() => server.close());

  it('gives the same typed results through the in-memory transport and through got on a real server', async () => {
    const inMemory = buildKernel();
    inMemory.register(Ports.Transport, memoryThings());
    const overHttp = buildKernel(server.url);
    overHttp.register(Ports.Transport, new GotTransport());
    try {
      const viaMemory = await scenario(inMemory);
      const viaHttp = await scenario(overHttp);
      expect(viaHttp).toEqual(viaMemory);
      expect(viaMemory.list).toEqual({ items: [{ id: 't2', name: 'bell', size: 1 }], total: 2 });
      expect(viaMemory.sizes).toEqual([3, 1, 1]);
    } finally {
      await overHttp.close();
    }
  });

  it('sends user agent, platform, retry-count and idempotency headers, and never a Connection header', async () => {
    const kernel = buildKernel(server.url);
    kernel.register(Ports.Transport, new GotTransport());
    await kernel.call('create_thing', { name: 'c', size: 0 });
    await kernel.call('list_things', {});
    await kernel.close();
    expect(server.requests).toHaveLength(2);
    const [post, get] = server.requests;
    expect(post.headers['user-agent']).toMatch(/^things\/1\.2\.3 pristine\/\S+ node\/v\d+/);
    expect(post.headers['x-things-os']).toBeTruthy();
    expect(post.headers['x-things-runtime']).toBe('node');
    expect(post.headers['x-things-version']).toBe('1.2.3');
    expect(post.headers['x-things-retry-count']).toBe('0');
    expect(post.headers['x-things-idempotency']).toMatch(/^[0-9a-f-]{36}$/);
    expect(post.headers['content-type']).toBe('application/json');
    expect(get.headers['x-things-idempotency']).toBeUndefined();
    expect(get.url).toBe('/v1/things');
  });

  it('raises ValidationError listing every bad field, and sends nothing', async () => {
    const transport = memoryThings();
    const kernel = buildKernel();
    kernel.register(Ports.Transport, transport);
    const error = await kernel
      .call('create_thing', { name: '', size: -1, extra: true } as never)
      .catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const pointers = (error as ValidationError).issues.map((i) => i.pointer).sort();
    expect(pointers).toEqual(['/extra', '/name', '/size']);
    expect((error as Error).message).toContain('/size');
    expect(transport.requests).toHaveLength(0);
  });

  it('percent-encodes path params so they cannot inject /, ? or #', async () => {
    const transport = memoryThings();
    const kernel = buildKernel();
    kernel.register(Ports.Transport, transport);
    await expect(kernel.call('get_thing', { id: '../admin?x=1#frag' })).rejects.toBeInstanceOf(NotFoundError);
    expect(transport.requests[0].url).toBe('http://things.test/v1/things/..%2Fadmin%3Fx%3D1%23frag');
  });

  it('maps error statuses to typed errors carrying status, body, request id and origin', async () => {
    const kernel = buildKernel();
    kernel.register(Ports.Transport, memoryThings());
    const error = (await kernel.call('get_thing', { id: 'missing' }).catch((e) => e)) as NotFoundError;
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.status).toBe(404);
    expect(error.body).toEqual({ message: 'no such thing' });
    expect(error.requestId).toBe('req-1');
    expect(error.origin).toBe('http://things.test');
    expect(error.category).toBe('user');
    expect(error.retryable).toBe(false);
    expect(error.message).toBe('404 no such thing');
  });

  it('keeps two kernels isolated', () => {
    const one = buildKernel();
    const two = buildKernel();
    const transport = memoryThings();
    one.register(Ports.Transport, transport);
    expect(one.resolve(Ports.Transport)).toBe(transport);
    expect(two.resolve(Ports.Transport)).not.toBe(transport);
  });

  it('rejects unknown tokens', () => {
    expect(() => createKernel().register(Symbol('nope'), {})).toThrow(/Unknown port token/);
  });

  it('refuses a Clock without monotonic() by name: as an instance at once, from a factory at first use', () => {
    // A clock written before monotonic() joined the port (plain JS, or cast past the type).
    const old = { now: Date.now, sleep: async () => {}, after: () => () => {}, every: () => () => {} };
    const refused = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return error;
      }
      return undefined;
    };
    const error = refused(() => createKernel().register(Ports.Clock, old as never));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([
      expect.objectContaining({ pointer: '/monotonic', rule: 'required' }),
    ]);
    const kernel = buildKernel().register(Ports.Clock, () => old as never);
    expect(refused(() => kernel.getServices())).toBeInstanceOf(ValidationError);
  });
});
