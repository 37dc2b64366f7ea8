import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { ValidationError } from '../../src/kernel/errors/validation-error.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { defineManifest } from '../../src/kernel/manifest/types.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { json, scriptedServer } from '../support/scripted-server.js';

// The input argument may be left out exactly when the endpoint's input has no required property: an
// all-optional schema, an empty one, or none. `npm run typecheck` compiles this file: the calls without
// input are the type tests that the short form compiles (they did not before), and each
// `@ts-expect-error` that a required input may not be left out (an unused one is a compile error). At
// run time a left-out input is `{}`, validated as such: a required field is refused before anything is sent.

const Page = Type.Object({ data: Type.Array(Type.String()), next: Type.Optional(Type.String()) });
const cursor = { style: 'cursor', cursorParam: 'after', nextCursor: 'next', items: 'data' } as const;
const manifest = defineManifest({
  name: 'inputs',
  version: '1',
  endpoints: [
    {
      id: 'health',
      method: 'GET',
      path: '/health',
      query: ['verbose'],
      input: Type.Object({ verbose: Type.Optional(Type.Boolean()) }),
      response: Type.Object({ ok: Type.Boolean() }),
    },
    { id: 'ping', method: 'POST', path: '/ping', response: Type.Object({ pong: Type.Boolean() }) },
    { id: 'touch', method: 'POST', path: '/touch', input: Type.Object({}) },
    {
      id: 'get_thing',
      method: 'GET',
      path: '/things/{id}',
      input: Type.Object({ id: Type.String() }),
      response: Type.Object({ id: Type.String() }),
    },
    {
      id: 'start_job',
      method: 'POST',
      path: '/jobs',
      future: 'jobs',
      input: Type.Object({ priority: Type.Optional(Type.Integer()) }),
      response: Type.Object({ job: Type.String() }),
      result: Type.Object({ url: Type.String() }),
    },
    {
      id: 'start_named_job',
      method: 'POST',
      path: '/named-jobs',
      future: 'jobs',
      input: Type.Object({ name: Type.String() }),
      response: Type.Object({ job: Type.String() }),
    },
    { id: 'get_job', method: 'GET', path: '/jobs/{job}', input: Type.Object({ job: Type.String() }) },
    {
      id: 'feed',
      method: 'GET',
      path: '/feed',
      query: ['since'],
      input: Type.Object({ since: Type.Optional(Type.String()) }),
      stream: { event: Type.Object({ n: Type.Integer() }) },
    },
    {
      id: 'topic_feed',
      method: 'GET',
      path: '/topics/{topic}/feed',
      input: Type.Object({ topic: Type.String() }),
      stream: { event: Type.Object({ n: Type.Integer() }) },
    },
    {
      id: 'list',
      method: 'GET',
      path: '/list',
      query: ['after'],
      input: Type.Object({ after: Type.Optional(Type.String()) }),
      response: Page,
      pagination: cursor,
    },
    {
      id: 'owner_list',
      method: 'GET',
      path: '/owners/{owner}/list',
      query: ['after'],
      input: Type.Object({ owner: Type.String(), after: Type.Optional(Type.String()) }),
      response: Page,
      pagination: cursor,
    },
  ],
});

describe('an input with no required property may be left out', () => {
  let server: Awaited<ReturnType<typeof scriptedServer>>;
  beforeAll(async () => {
    server = await scriptedServer((req, res) => {
      if (req.path === '/feed') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        return res.end('data: {"n":1}\n\ndata: {"n":2}\n\n');
      }
      if (req.path === '/health') return json(res, 200, { ok: true });
      if (req.path === '/ping') return json(res, 200, { pong: true });
      if (req.path === '/jobs') return json(res, 200, { job: 'j1' });
      if (req.path === '/jobs/j1') return json(res, 200, { url: 'https://x/j1' });
      if (req.path === '/list') return json(res, 200, { data: ['a', 'b'] });
      return json(res, 200, {});
    });
  });
  afterAll(() => server.close());

  const kernelFor = () =>
    createKernel().use(
      definePlugin({
        name: 'inputs',
        version: '1',
        manifest,
        defaults: { baseUrl: server.url, maxRetries: 0, breaker: false },
        pollProtocols: {
          jobs: {
            pollEndpoint: 'get_job',
            requestId: (body) => body.job,
            pollInput: ({ requestId }) => ({ job: requestId }),
            read: (body) => ({ state: 'complete', value: body }),
            onExpired: 'fail',
          },
        },
      }),
    );

  it('call, execute, submit, stream and paginate send `{}` for a left-out input, typed as with one', async () => {
    const kernel = kernelFor();
    const before = server.seen.length;
    const health: { ok: boolean } = await kernel.call('health');
    expect(health).toEqual({ ok: true });
    // The options still come after the input: `undefined` stands for it.
    await expect(kernel.call('health', undefined, { timeoutMs: 5_000 })).resolves.toEqual({ ok: true });
    const pong: { pong: boolean } = (await kernel.execute('ping')).body;
    expect(pong).toEqual({ pong: true });
    await expect(kernel.call('touch')).resolves.toEqual({});
    const result: { url: string } = await kernel.submit('start_job');
    expect(result).toEqual({ url: 'https://x/j1' });
    const events: number[] = [];
    for await (const event of kernel.stream('feed')) events.push(event.n);
    expect(events).toEqual([1, 2]);
    const items: string[] = await kernel.paginate('list').toArray();
    expect(items).toEqual(['a', 'b']);
    // As with `{}` given: a body-taking call sends `{}`, a GET no query.
    const sent = server.seen.slice(before).map((s) => `${s.method} ${s.path} ${JSON.stringify(s.body)}`);
    expect(sent).toEqual([
      'GET /health undefined',
      'GET /health undefined',
      'POST /ping {}',
      'POST /touch {}',
      'POST /jobs {}',
      'GET /jobs/j1 undefined',
      'GET /feed undefined',
      'GET /list undefined',
    ]);
    await kernel.close();
  });

  it('a required input left out is a compile error, and refused at run time naming the field, nothing sent', async () => {
    const kernel = kernelFor();
    const before = server.seen.length;
    const refusal = (pointer: string) =>
      expect.objectContaining({
        name: 'ValidationError',
        issues: [expect.objectContaining({ pointer, rule: 'required' })],
      });
    // @ts-expect-error get_thing requires `id`
    await expect(kernel.call('get_thing')).rejects.toEqual(refusal('/id'));
    // @ts-expect-error execute checks the input as call does
    await expect(kernel.execute('get_thing')).rejects.toBeInstanceOf(ValidationError);
    // @ts-expect-error start_named_job requires `name`
    await expect(kernel.submit('start_named_job')).rejects.toEqual(refusal('/name'));
    // @ts-expect-error topic_feed requires `topic`
    const stream = kernel.stream('topic_feed');
    await expect(stream[Symbol.asyncIterator]().next()).rejects.toEqual(refusal('/topic'));
    // @ts-expect-error owner_list requires `owner`
    await expect(kernel.paginate('owner_list').toArray()).rejects.toEqual(refusal('/owner'));
    // @ts-expect-error the explicit item type form takes its unchecked input always
    await expect(kernel.paginate<string>('owner_list').toArray()).rejects.toEqual(refusal('/owner'));
    expect(server.seen.length).toBe(before);
    await kernel.close();
  });

  it('an optional member given as `undefined` is absent: no query key, no body member', async () => {
    const kernel = kernelFor();
    const before = server.seen.length;
    // An author's wrappers pass their own optional parameters on (typed as such under
    // exactOptionalPropertyTypes: scripts/pack-check/author-strict.ts).
    const health = (verbose?: boolean) => kernel.call('health', { verbose });
    const list = (after?: string) => kernel.paginate('list', { after });
    await expect(health()).resolves.toEqual({ ok: true });
    await expect(kernel.execute('health', { verbose: undefined })).resolves.toMatchObject({ status: 200 });
    await expect(list().toArray()).resolves.toEqual(['a', 'b']);
    await expect(kernel.call('list', { after: undefined })).resolves.toEqual({ data: ['a', 'b'] });
    await expect(kernel.submit('start_job', { priority: undefined })).resolves.toEqual({
      url: 'https://x/j1',
    });
    for await (const event of kernel.stream('feed', { since: undefined })) event.n satisfies number;
    const sent = server.seen.slice(before).map((s) => `${s.method} ${s.path} ${JSON.stringify(s.body)}`);
    expect(sent).toEqual([
      'GET /health undefined',
      'GET /health undefined',
      'GET /list undefined',
      'GET /list undefined',
      'POST /jobs {}',
      'GET /jobs/j1 undefined',
      'GET /feed undefined',
    ]);
    await kernel.close();
  });

  it('a required member given as `undefined` is a compile error, and refused naming it, nothing sent', async () => {
    const kernel = kernelFor();
    const before = server.seen.length;
    const refusal = expect.objectContaining({
      name: 'ValidationError',
      issues: [expect.objectContaining({ pointer: '/id', rule: 'required' })],
    });
    // @ts-expect-error get_thing requires `id`: `undefined` is no id
    await expect(kernel.call('get_thing', { id: undefined })).rejects.toEqual(refusal);
    // (This compiles through the explicit item type form, whose input is unchecked.)
    await expect(kernel.paginate('owner_list', { owner: undefined }).toArray()).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(server.seen.length).toBe(before);
    await kernel.close();
  });

  it('a given input is still checked against the schema, and options need the input before them', () => {
    const kernel = kernelFor();
    // @ts-expect-error verbose is a boolean
    void kernel.call('health', { verbose: 'yes' }).catch(() => {});
    // @ts-expect-error the options are the third argument; `timeoutMs` is no input property
    void kernel.call('health', { timeoutMs: 5 }).catch(() => {});
    // @ts-expect-error no endpoint has this id
    void kernel.call('healthz').catch(() => {});
    return kernel.close();
  });
});
