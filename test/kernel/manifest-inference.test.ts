import { afterEach, describe, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { defineManifest } from '../../src/kernel/manifest/types.js';
import { ManifestError } from '../../src/kernel/manifest/manifest-error.js';
import { ResponseValidationError } from '../../src/kernel/pipeline/stages/validate-response.js';
import type { PollProtocol } from '../../src/ports/futures.js';
import { json, scriptedServer } from '../support/scripted-server.js';

// `npm run typecheck` compiles this file: the `@ts-expect-error` lines are the type-level tests of
// paginate/execute/submit inference (an unused expect-error is itself a compile error).

const Item = Type.Object({ id: Type.String(), n: Type.Integer() });
const manifest = defineManifest({
  name: 'openai-like',
  version: '1',
  endpoints: [
    {
      id: 'list_items',
      method: 'GET',
      path: '/items',
      query: ['after', 'limit'],
      input: Type.Object({ after: Type.Optional(Type.String()), limit: Type.Optional(Type.Integer()) }),
      response: Type.Object({
        data: Type.Array(Item),
        last_id: Type.Union([Type.String(), Type.Null()]),
        has_more: Type.Boolean(),
      }),
      pagination: { style: 'cursor', cursorParam: 'after', limitParam: 'limit', items: 'data', nextCursor: 'last_id', hasMore: 'has_more' },
    },
    {
      id: 'start_job',
      method: 'POST',
      path: '/jobs',
      future: 'jobs',
      input: Type.Object({ n: Type.Integer() }),
      response: Type.Object({ id: Type.String() }),
      result: Type.Object({ answer: Type.Integer() }),
    },
    { id: 'poll_job', method: 'GET', path: '/jobs/{id}', input: Type.Object({ id: Type.String() }) },
  ],
}); // prettier-ignore

const jobs: PollProtocol = {
  pollEndpoint: 'poll_job',
  requestId: (body) => (body as { id: string }).id,
  pollInput: ({ requestId }) => ({ id: requestId }),
  read: (body) => ({ state: 'complete', value: (body as { result: unknown }).result }),
  onExpired: 'fail',
};

const ALL = Array.from({ length: 5 }, (_, i) => ({ id: `i${i}`, n: i }));
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function setup(result: unknown = { answer: 42 }) {
  const server = await scriptedServer((req, res) => {
    const url = new URL(req.path, 'http://x');
    if (url.pathname === '/items') {
      const after = url.searchParams.get('after');
      const start = after ? ALL.findIndex((i) => i.id === after) + 1 : 0;
      const data = ALL.slice(start, start + Number(url.searchParams.get('limit')));
      const has_more = start + data.length < ALL.length;
      // Like OpenAI: last_id is set on every non-empty page, has_more says whether to ask again.
      return json(res, 200, { data, last_id: data.at(-1)?.id ?? null, has_more });
    }
    if (url.pathname === '/jobs') return json(res, 200, { id: 'job-1' });
    return json(res, 200, { result });
  });
  const kernel = createKernel().use(
    definePlugin({
      name: 'openai-like',
      version: '1',
      manifest,
      defaults: { baseUrl: server.url, breaker: false },
      pollProtocols: { jobs },
    }),
  );
  close = async () => {
    await kernel.close();
    await server.close();
  };
  return { kernel, server };
}

describe('types and stop keys from the manifest', () => {
  it('paginate infers items from response[items] and stops on hasMore: false without an extra request', async () => {
    const { kernel, server } = await setup();
    const items = await kernel.paginate('list_items', {}, { pageSize: 2 }).toArray();
    expect(items.map((i) => i.n)).toEqual([0, 1, 2, 3, 4]);
    // @ts-expect-error items are { id: string; n: number }, not strings
    const wrong: string = items[0];
    void wrong;
    // Three pages of 2, 2, 1: a fourth, empty page would be the extra request hasMore saves.
    expect(server.seen.map((s) => s.path)).toEqual([
      '/items?limit=2',
      '/items?after=i1&limit=2',
      '/items?after=i3&limit=2',
    ]);
  });

  it('execute types the body as the response; an explicit paginate<T> still compiles', async () => {
    const { kernel } = await setup();
    const page = await kernel.execute('list_items', { limit: 1 });
    expect(page.body.data[0].id).toBe('i0');
    // @ts-expect-error body.data items have no `name`
    void page.body.data[0].name;
    // @ts-expect-error execute checks the input like call does
    void kernel.execute('list_items', { limit: 'one' }).catch(() => {});
    // @ts-expect-error list_items declares no stream: a compile error, and refused at once at run time
    expect(() => kernel.stream('list_items', {})).toThrow(/declares no stream/);
    const explicit = kernel.paginate<{ id: string }>('list_items', {}, { pageSize: 5 });
    expect((await explicit.toArray({ max: 1 }))[0].id).toBe('i0');
  });

  it('submit types the future from `result` and checks the final value against it', async () => {
    const { kernel } = await setup();
    const answer: number = (await kernel.submit('start_job', { n: 1 })).answer;
    expect(answer).toBe(42);
    // @ts-expect-error the result has no `url`
    void (await kernel.submit('start_job', { n: 1 })).url;
    // An explicit type argument (Tinkex writes submit<{ model_id: string }>(...)) still compiles.
    const explicit: { answer: number } = await kernel.submit<{ answer: number }>('start_job', { n: 2 });
    expect(explicit.answer).toBe(42);
  });

  it('a future value that does not match `result` fails with a ResponseValidationError naming the field', async () => {
    const { kernel } = await setup({ answer: 'forty-two' });
    const error = await kernel.submit('start_job', { n: 1 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect((error as Error).message).toMatch(/start_job[\s\S]*\/answer/);
  });

  it('rejects `result` on a non-future endpoint and unknown pagination keys, naming them', () => {
    const plugin = (endpoint: object) =>
      definePlugin({
        name: 'bad',
        version: '1',
        manifest: { name: 'bad', version: '1', endpoints: [endpoint as never] },
      });
    const listing = {
      id: 'list',
      method: 'GET',
      path: '/l',
      query: ['after'],
      input: Type.Object({ after: Type.Optional(Type.String()) }),
    };
    expect(() => createKernel().use(plugin({ ...listing, result: Type.Object({}) }))).toThrow(
      /endpoint "list".*result.*future/,
    );
    const cursor = { style: 'cursor', cursorParam: 'after', items: 'data', nextCursor: 'next' };
    expect(() =>
      createKernel().use(plugin({ ...listing, pagination: { ...cursor, has_more: 'has_more' } })),
    ).toThrow(ManifestError);
    expect(() =>
      createKernel().use(plugin({ ...listing, pagination: { ...cursor, has_more: 'x' } })),
    ).toThrow(/pagination.*has_more.*not a known key/);
    expect(() =>
      createKernel().use(plugin({ ...listing, pagination: { ...cursor, nextCursor: undefined } })),
    ).toThrow(/pagination\.nextCursor/);
  });
});
