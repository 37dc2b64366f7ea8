import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createKernel } from '../../src/defaults/kernel.js';
import type { CallContext, Stage } from '../../src/kernel/plugin-contract.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { json, scriptedServer } from '../support/scripted-server.js';

/**
 * Round 34 (issue 16): what every call holds across its network wait. A call that sets no headers or
 * query resolves to one shared, frozen empty object of each (not two fresh ones per call), and a call's
 * object for headers a stage adds is made only when a stage adds one (`addedHeaders` stays undefined). What goes out must not change: a call's
 * own headers and query, and a stage's extra header, still reach the server, and only on that call.
 */
describe('objects a call holds across its network wait', () => {
  let server: Awaited<ReturnType<typeof scriptedServer>>;
  const seen: Array<{ url: string; headers: Record<string, string | string[] | undefined> }> = [];
  beforeAll(async () => {
    server = await scriptedServer((req, res) => {
      seen.push({ url: req.path, headers: req.headers });
      json(res, 200, {});
    });
  });
  afterAll(() => server.close());

  const kernelWith = (stage: Stage) =>
    createKernel().use(
      definePlugin({
        name: 'held',
        version: '1',
        defaults: { baseUrl: server.url, breaker: false },
        manifest: { name: 'held', version: '1', endpoints: [{ id: 'ping', method: 'POST', path: '/ping' }] },
        stages: [{ stage, placement: { after: 'build' } }],
      }),
    );

  it('shares one frozen empty headers and query object between calls that set none', async () => {
    const contexts: CallContext[] = [];
    const kernel = kernelWith({ name: 'keep', run: (context, next) => (contexts.push(context), next()) });
    await kernel.call('ping', {});
    await kernel.call('ping', {});
    await kernel.call('ping', {}, { headers: { 'x-own': 'yes' }, query: { q: '1' } });
    await kernel.call('ping', {});
    await kernel.close();
    const [first, second, own, last] = contexts;
    expect(second.options.headers).toBe(first.options.headers);
    expect(second.options.query).toBe(first.options.query);
    expect(Object.isFrozen(first.options.headers)).toBe(true);
    expect(Object.isFrozen(first.options.query)).toBe(true);
    expect(own.options.headers).toEqual({ 'x-own': 'yes' });
    // What went out: the own header and query on the third call only.
    expect(seen.slice(-4).map((request) => [request.url, request.headers['x-own']])).toEqual([
      ['/ping', undefined],
      ['/ping', undefined],
      ['/ping?q=1', 'yes'],
      ['/ping', undefined],
    ]);
    expect(last.options.headers).toEqual({});
  });

  it('makes addedHeaders only for a call whose stage adds one, and sends what the stage set', async () => {
    const contexts: CallContext[] = [];
    let calls = 0;
    const kernel = createKernel().use(
      definePlugin({
        name: 'held',
        version: '1',
        defaults: { baseUrl: server.url, breaker: false },
        manifest: { name: 'held', version: '1', endpoints: [{ id: 'ping', method: 'POST', path: '/ping' }] },
        stages: [
          {
            // Before `build`, so the request is built with what it set.
            stage: {
              name: 'mark',
              run: (context, next) => {
                contexts.push(context);
                if (calls++ === 1) context.setHeader('x-marked', 'second');
                return next();
              },
            },
            placement: { before: 'build' },
          },
        ],
      }),
    );
    await kernel.call('ping', {});
    await kernel.call('ping', {});
    await kernel.call('ping', {});
    await kernel.close();
    expect(seen.slice(-3).map((request) => request.headers['x-marked'])).toEqual([
      undefined,
      'second',
      undefined,
    ]);
    const made = contexts.map((context) => context.addedHeaders);
    expect(made).toEqual([undefined, { 'x-marked': 'second' }, undefined]);
  });
});
