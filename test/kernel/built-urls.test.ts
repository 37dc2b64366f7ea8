import { describe, expect, it } from '@jest/globals';
import { MemoryTransport } from '../../src/adapters/transport/memory-transport.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { Ports } from '../../src/ports/index.js';
import { thingsPlugin } from './fixtures/things-plugin.js';

// The URL of a parameterless endpoint without a query is built once per base URL and remembered: the
// URL a call goes to must not depend on the calls before it.
describe('request URLs', () => {
  it('are those of the call, whatever base URLs, queries and paths the calls before it used', async () => {
    const kernel = createKernel().use(
      thingsPlugin({ defaults: { baseUrl: 'http://things.test/v1/', breaker: false } }),
    );
    const transport = new MemoryTransport((request) =>
      request.method === 'GET' && request.url.includes('/things/')
        ? { status: 200, body: { id: 'x', name: 'n', size: 1 } }
        : { status: 200, body: { items: [], total: 0 } },
    );
    kernel.register(Ports.Transport, transport);
    const list = (options: { baseUrl?: string; query?: Record<string, string> } = {}, input = {}) =>
      kernel.call('list_things', input, options);
    await list();
    await list({ baseUrl: 'http://other.test/api//' });
    await list();
    await list({}, { limit: 2 });
    await list({ query: { extra: 'y' } });
    await kernel.call('get_thing', { id: 'a b' });
    await list();
    for (let i = 0; i < 70; i++) await list({ baseUrl: `http://b${i}.test` });
    await list({ baseUrl: 'http://b69.test' });
    await list();
    expect(transport.requests.map((r) => r.url)).toEqual([
      'http://things.test/v1/things',
      'http://other.test/api/things',
      'http://things.test/v1/things',
      'http://things.test/v1/things?limit=2',
      'http://things.test/v1/things?extra=y',
      'http://things.test/v1/things/a%20b',
      'http://things.test/v1/things',
      ...Array.from({ length: 70 }, (_, i) => `http://b${i}.test/things`),
      'http://b69.test/things',
      'http://things.test/v1/things',
    ]);
    await kernel.close();
  });
});
