import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { PristineError } from '../../../src/kernel/errors/pristine-error.js';
import { createKernel } from '../../../src/defaults/kernel.js';
import { definePlugin } from '../../../src/kernel/plugin.js';

/**
 * Found by hand: a cursor listing whose answer names the cursor it was sent as the next one (a server
 * bug, or `nextCursor` pointed at a field that echoes the request) was fetched again and again, the
 * same page yielded for ever: `for await` never ended and `toArray()` never returned.
 */
const cursorsSent: (string | null)[] = [];
let server: http.Server;
let baseUrl = '';
beforeAll(async () => {
  server = http.createServer((req, res) => {
    const after = new URL(req.url ?? '/', 'http://x').searchParams.get('after');
    cursorsSent.push(after);
    // The first page points at "p2"; page "p2" points at itself.
    const body = after === null ? { data: [{ id: 1 }], next: 'p2' } : { data: [{ id: 2 }], next: 'p2' };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

it('a cursor listing whose next cursor is the one just sent fails after that page instead of looping', async () => {
  const kernel = createKernel().use(
    definePlugin({
      name: 'pages',
      version: '1',
      defaults: { baseUrl },
      manifest: {
        name: 'pages',
        version: '1',
        endpoints: [
          {
            id: 'list',
            method: 'GET',
            path: '/items',
            query: ['after'],
            input: Type.Object({ after: Type.Optional(Type.String()) }),
            response: Type.Object({
              data: Type.Array(Type.Object({ id: Type.Integer() })),
              next: Type.String(),
            }),
            pagination: { style: 'cursor', cursorParam: 'after', nextCursor: 'next', items: 'data' },
          },
        ],
      },
    }),
  );
  try {
    const seen: number[] = [];
    // A bound, so that the loop this guards against fails the test instead of hanging it.
    const error = await (async () => {
      for await (const item of kernel.paginate('list', {})) {
        seen.push(item.id);
        if (seen.length > 10) return 'looped';
      }
      return 'ended';
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PristineError);
    expect(String(error)).toMatch(/Pagination of "list" did not advance/);
    // Each page once: the repeated cursor is noticed before it is sent again.
    expect(seen).toEqual([1, 2]);
    expect(cursorsSent).toEqual([null, 'p2']);
  } finally {
    await kernel.close();
  }
});
