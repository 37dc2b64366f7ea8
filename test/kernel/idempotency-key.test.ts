import { describe, expect, it } from '@jest/globals';
import { MemoryTransport } from '../../src/adapters/transport/memory-transport.js';
import { ValidationError } from '../../src/kernel/errors/validation-error.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { idempotencyKey, idempotencyKeys } from '../../src/kernel/request/idempotency-key.js';
import { Ports } from '../../src/ports/index.js';

const UUID_V4 = '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';
const BARE = new RegExp(`^${UUID_V4}$`);
const STAINLESS = new RegExp(`^stainless-node-retry-${UUID_V4}$`);

/** Every hex digit position varies across `uuids`; the dashes, the version and the variant stay fixed. */
function expectRandomWhereRandom(uuids: string[]): void {
  for (let at = 0; at < 36; at++) {
    const seen = new Set(uuids.map((uuid) => uuid[at]));
    if ([8, 13, 18, 23].includes(at)) expect([...seen]).toEqual(['-']);
    else if (at === 14) expect([...seen]).toEqual(['4']);
    else if (at === 19) expect([...seen].sort()).toEqual(['8', '9', 'a', 'b']);
    else expect(seen.size).toBe(16);
  }
}

describe('idempotencyKeys (the kernel key of every non-GET call)', () => {
  it('is a bare version-4 UUID by default, as `randomUUID()` was', () => {
    expect(idempotencyKey()).toMatch(BARE);
  });

  it('puts a prefix before the UUID, as `stainless-node-retry-${randomUUID()}` was', () => {
    expect(idempotencyKeys('stainless-node-retry-')()).toMatch(STAINLESS);
  });

  it('never repeats, across refills of its random pool, and each key is its own string', () => {
    const next = idempotencyKeys('stainless-node-retry-');
    const keys = Array.from({ length: 3_000 }, () => next());
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.every((key) => STAINLESS.test(key))).toBe(true);
    expectRandomWhereRandom(keys.map((key) => key.slice('stainless-node-retry-'.length)));
  });

  it('keeps each generator to its own prefix when several share the random pool', () => {
    const stainless = idempotencyKeys('stainless-node-retry-');
    const other = idempotencyKeys('k-');
    const keys = Array.from({ length: 600 }, (_, i) => [stainless(), other(), idempotencyKey()][i % 3]);
    const uuids = keys.map((key, i) => {
      const prefix = ['stainless-node-retry-', 'k-', ''][i % 3];
      expect(key.startsWith(prefix) && BARE.test(key.slice(prefix.length))).toBe(true);
      return key.slice(prefix.length);
    });
    expect(new Set(uuids).size).toBe(uuids.length);
  });
});

describe("a plugin's idempotency key", () => {
  const manifest = {
    name: 'keys',
    version: '1',
    endpoints: [{ id: 'make', method: 'POST', path: '/make' }],
  } as const;
  const plugin = (idempotency: { header: string; prefix?: string; generate?: () => string }) =>
    definePlugin({
      name: 'keys',
      version: '1',
      manifest,
      defaults: { baseUrl: 'http://keys.test', maxRetries: 0 },
      headers: { idempotency },
    });
  async function keySent(idempotency: Parameters<typeof plugin>[0]): Promise<string> {
    const kernel = createKernel().use(plugin(idempotency));
    let key = '';
    kernel.register(
      Ports.Transport,
      new MemoryTransport((request) => {
        key = request.headers[idempotency.header.toLowerCase()];
        return { status: 200, headers: { 'content-type': 'application/json' }, body: '{}' };
      }),
    );
    await kernel.call('make', {});
    return key;
  }

  it('is the kernel key after the plugin prefix, or what its generator returns', async () => {
    expect(await keySent({ header: 'Idempotency-Key' })).toMatch(BARE);
    expect(await keySent({ header: 'X-Idempotency-Key', prefix: 'stainless-node-retry-' })).toMatch(
      STAINLESS,
    );
    expect(await keySent({ header: 'X-Key', prefix: 'ignored-', generate: () => 'mine' })).toBe('mine');
  });

  it('refuses at registration a prefix that could not be sent as a header', () => {
    for (const prefix of ['a\r\nInjected: 1', 'é-', 7]) {
      let error: unknown;
      try {
        createKernel().use(plugin({ header: 'Idempotency-Key', prefix: prefix as string }));
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues).toEqual([
        expect.objectContaining({ pointer: '/idempotency/prefix', rule: 'header-value' }),
      ]);
      expect((error as Error).message).not.toContain('Injected');
    }
  });
});
