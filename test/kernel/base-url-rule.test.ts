import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { UndiciTransport } from '../../src/adapters/transport/undici-transport.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { Ports } from '../../src/ports/index.js';
import { json, scriptedServer } from '../support/scripted-server.js';
import { rejected, thrown } from '../support/validation-errors.js';

/*
 * Found by hand in round 32: the kernel appends each endpoint's path to the base URL as text, so
 * `https://host/?token=x` sent every call to `https://host/?token=x/things`, the path inside the query.
 * A base URL with a query or fragment is refused wherever it is given, before anything is sent, and the
 * refusal never repeats the URL (its query may hold a secret).
 */
let server: Awaited<ReturnType<typeof scriptedServer>>;
beforeAll(async () => {
  server = await scriptedServer((_, res) => json(res, 200, { ok: true }));
});
afterAll(() => server.close());

const SECRET = 't0p-s3cret';
const manifest = {
  name: 'bases',
  version: '1.0.0',
  endpoints: [
    { id: 'things', method: 'GET', path: '/things', response: Type.Object({ ok: Type.Boolean() }) },
  ],
} as const;

function expectBaseUrlRefused(error: {
  issues: readonly { pointer: string; rule: string }[];
  message: string;
}) {
  expect(error.issues).toEqual([expect.objectContaining({ pointer: '/baseUrl', rule: 'format' })]);
  expect(error.message).not.toContain(SECRET);
}

describe('a base URL with a query or fragment', () => {
  it('is refused as a kernel option and as a plugin default, naming the option and the rule', () => {
    for (const bad of [`http://127.0.0.1:1/?token=${SECRET}`, `http://127.0.0.1:1/api#${SECRET}`]) {
      expectBaseUrlRefused(thrown(() => createKernel({ baseUrl: bad })));
      const plugin = definePlugin({ name: 'bases', version: '1.0.0', defaults: { baseUrl: bad }, manifest });
      expectBaseUrlRefused(thrown(() => createKernel().use(plugin)));
    }
    // A lone `?` (which `new URL` drops from `search`) is still a query mark in the text the path follows.
    expectBaseUrlRefused(thrown(() => createKernel({ baseUrl: 'http://127.0.0.1:1/api?' })));
  });

  it("is refused per call before anything is sent, and the plugin's own base URL still works", async () => {
    const plugin = definePlugin({
      name: 'bases',
      version: '1.0.0',
      defaults: { baseUrl: server.url },
      manifest,
    });
    const kernel = createKernel().use(plugin);
    kernel.register(Ports.Transport, new UndiciTransport());
    const before = server.seen.length;
    const error = await rejected(
      kernel.call('things', undefined as never, { baseUrl: `${server.url}/?token=${SECRET}` }),
    );
    expectBaseUrlRefused(error);
    expect(server.seen.length).toBe(before);
    await expect(kernel.call('things', undefined as never)).resolves.toEqual({ ok: true });
    expect(server.seen.slice(before).map((r) => r.path)).toEqual(['/things']);
    await kernel.close();
  });
});
