import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { json, scriptedServer } from '../support/scripted-server.js';

/**
 * `paginate`, `submit` and `stream` take only endpoints of their kind: the `@ts-expect-error` lines are
 * checked by `npm run typecheck` (an id of the wrong kind that compiled would make the directive unused,
 * a compile error), and the runtime refuses them too, before anything is sent, for JavaScript callers
 * and ids computed at run time.
 */
describe('endpoint kinds', () => {
  let server: Awaited<ReturnType<typeof scriptedServer>>;
  beforeAll(async () => {
    server = await scriptedServer((_req, res) => json(res, 200, { items: [], id: 'op-1' }));
  });
  afterAll(() => server.close());

  const kernelFor = () =>
    createKernel().use(
      definePlugin({
        name: 'kinds',
        version: '1',
        defaults: { baseUrl: server.url, maxRetries: 0, breaker: false },
        pollProtocols: {
          jobs: {
            pollEndpoint: 'plain',
            requestId: (body) => (body as { id: string }).id,
            pollInput: () => ({}), // plain takes no input
            read: () => ({ state: 'complete', value: {} }),
            onExpired: 'fail',
          },
        },
        manifest: {
          name: 'kinds',
          version: '1',
          endpoints: [
            { id: 'plain', method: 'POST', path: '/plain' },
            {
              id: 'list',
              method: 'GET',
              path: '/list',
              query: ['offset', 'limit'],
              input: Type.Object({
                offset: Type.Optional(Type.Integer()),
                limit: Type.Optional(Type.Integer()),
              }),
              response: Type.Object({ items: Type.Array(Type.String()) }),
              pagination: { style: 'offset', offsetParam: 'offset', limitParam: 'limit', items: 'items' },
            },
            { id: 'start', method: 'POST', path: '/start', future: 'jobs' },
            { id: 'events', method: 'GET', path: '/events', stream: {} },
          ],
        },
      }),
    );

  it('refuses paginate and submit on an endpoint of another kind, at compile time and at run time', async () => {
    const kernel = kernelFor();
    const before = server.seen.length;
    // @ts-expect-error plain declares no pagination
    expect(() => kernel.paginate('plain', {})).toThrow('Endpoint "plain" declares no pagination');
    // @ts-expect-error the explicit item type form takes only paginated ids too
    expect(() => kernel.paginate<string>('start')).toThrow('Endpoint "start" declares no pagination');
    // @ts-expect-error plain has no future
    expect(() => kernel.submit('plain', {})).toThrow('Endpoint "plain" is not a future endpoint');
    // @ts-expect-error the explicit result type form takes only future ids too
    expect(() => kernel.submit<{ url: string }>('list', {})).toThrow(
      'Endpoint "list" is not a future endpoint',
    );
    // @ts-expect-error a stream endpoint is no future either
    expect(() => kernel.submit('events', {})).toThrow('is not a future endpoint');
    expect(server.seen.length).toBe(before);
    await kernel.close();
  });

  it('takes the endpoints of the right kind, typed by the manifest', async () => {
    const kernel = kernelFor();
    const items: string[] = [];
    for await (const item of kernel.paginate('list', {})) items.push(item);
    expect(items).toEqual([]);
    await expect(kernel.submit('start', {})).resolves.toEqual({});
    await kernel.close();
  });
});
