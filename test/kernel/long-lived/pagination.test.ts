import { describe, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { ValidationError } from '../../../src/kernel/errors/validation-error.js';
import { createKernel } from '../../../src/defaults/kernel.js';
import { definePlugin } from '../../../src/kernel/plugin.js';
import { MemoryTransport } from '../../../src/adapters/transport/memory-transport.js';
import { Ports } from '../../../src/ports/index.js';

const ITEMS = Array.from({ length: 1000 }, (_, i) => ({ id: i }));

function setup() {
  const transport = new MemoryTransport((req) => {
    const url = new URL(req.url);
    const limit = Number(url.searchParams.get('limit'));
    if (url.pathname === '/offset') {
      const offset = Number(url.searchParams.get('offset'));
      return {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: { items: ITEMS.slice(offset, offset + limit), meta: { total: ITEMS.length } },
      };
    }
    const start = Number(url.searchParams.get('after') ?? 0);
    const page = ITEMS.slice(start, start + limit);
    const next = start + limit < ITEMS.length ? String(start + limit) : null;
    return { status: 200, headers: { 'content-type': 'application/json' }, body: { data: page, next } };
  });
  const limit = Type.Optional(Type.Integer());
  const kernel = createKernel().use(
    definePlugin({
      name: 'pages',
      version: '1',
      defaults: { baseUrl: 'http://pages.test' },
      manifest: {
        name: 'pages',
        version: '1',
        endpoints: [
          {
            id: 'by_offset',
            method: 'GET',
            path: '/offset',
            query: ['limit', 'offset'],
            input: Type.Object({ limit, offset: Type.Optional(Type.Integer()) }),
            pagination: {
              style: 'offset',
              offsetParam: 'offset',
              limitParam: 'limit',
              items: 'items',
              total: 'meta.total',
            },
          },
          {
            id: 'by_cursor',
            method: 'GET',
            path: '/cursor',
            query: ['limit', 'after'],
            input: Type.Object({ limit, after: Type.Optional(Type.String()) }),
            pagination: {
              style: 'cursor',
              cursorParam: 'after',
              nextCursor: 'next',
              items: 'data',
              limitParam: 'limit',
            },
          },
          {
            // An API whose page size the server picks: no limitParam.
            id: 'fixed_pages',
            method: 'GET',
            path: '/cursor',
            query: ['after'],
            input: Type.Object({ after: Type.Optional(Type.String()) }),
            pagination: { style: 'cursor', cursorParam: 'after', nextCursor: 'next', items: 'data' },
          },
        ],
      },
    }),
  );
  kernel.register(Ports.Transport, transport);
  return { kernel, transport };
}

describe('pagination', () => {
  it.each(['by_offset', 'by_cursor'] as const)(
    '%s returns 1,000 items in pages of 37, each exactly once',
    async (id) => {
      const { kernel, transport } = setup();
      const ids: number[] = [];
      for await (const item of kernel.paginate<{ id: number }>(id, {}, { pageSize: 37 })) ids.push(item.id);
      expect(ids).toEqual(ITEMS.map((i) => i.id));
      expect(transport.requests).toHaveLength(Math.ceil(1000 / 37));
    },
  );

  it('toArray({ max }) stops early without fetching further pages', async () => {
    const { kernel, transport } = setup();
    const first = await kernel
      .paginate<{ id: number }>('by_offset', {}, { pageSize: 37 })
      .toArray({ max: 50 });
    expect(first.map((i) => i.id)).toEqual(ITEMS.slice(0, 50).map((i) => i.id));
    expect(transport.requests).toHaveLength(2);
  });

  // Found by hand: toArray({ maxx: 3 }), ({ max: '3' }) and ({ max: NaN }) fetched every page (the bound
  // was dropped or never compared true), and toArray(null) threw a TypeError from the destructuring.
  it.each([
    [{ maxx: 3 }, '/maxx', 'additionalProperties'],
    [{ max: '3' }, '/max', 'integer'],
    [{ max: Number.NaN }, '/max', 'integer'],
    [{ max: 2.5 }, '/max', 'integer'],
    [{ max: -1 }, '/max', 'minimum'],
    [null, '', 'type'],
  ])(
    'toArray(%j) rejects with a ValidationError naming the field, before any request',
    async (options, pointer, rule) => {
      const { kernel, transport } = setup();
      const pages = kernel.paginate<{ id: number }>('by_offset', {}, { pageSize: 37 });
      await expect(pages.toArray(options as never)).rejects.toMatchObject({
        name: 'ValidationError',
        issues: [expect.objectContaining({ pointer, rule })],
      });
      expect(transport.requests).toHaveLength(0);
      // Infinity (the default) and 0 stay valid.
      await expect(pages.toArray({ max: 0 })).resolves.toEqual([]);
      await expect(pages.toArray({ max: Number.POSITIVE_INFINITY })).resolves.toHaveLength(1000);
    },
  );

  it('refuses a misspelt page size before any request, naming the option it meant', async () => {
    const { kernel, transport } = setup();
    const call = () => kernel.paginate('by_offset', {}, { page_size: 37 } as never);
    expect(call).toThrow(ValidationError);
    expect(call).toThrow('did you mean "pageSize"');
    // A stream's option is not a page's either.
    expect(() => kernel.paginate('by_offset', {}, { idleTimeoutMs: 5 } as never)).toThrow(
      'is not a paginate option',
    );
    expect(transport.requests).toHaveLength(0);
  });

  // Found by an SDK author: `pageSize` on an endpoint whose pagination names no `limitParam` was
  // silently dropped, and the pages came in the server's size.
  it('refuses a page size the endpoint cannot send (no limitParam) before any request', () => {
    const { kernel, transport } = setup();
    const call = () => kernel.paginate('fixed_pages', {}, { pageSize: 10 });
    expect(call).toThrow(ValidationError);
    expect(call).toThrow(/\/pageSize: .*no limitParam/);
    expect(transport.requests).toHaveLength(0);
    // Without one it lists as before.
    expect(kernel.paginate('fixed_pages', {}, { pageSize: undefined })).toBeDefined();
  });
});
