import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { UndiciTransport } from '../../src/adapters/transport/undici-transport.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { Ports } from '../../src/ports/index.js';
import { json, scriptedServer } from '../support/scripted-server.js';

/*
 * `request:start` names the URL of the call's endpoint under the base URL that call used (redacted).
 * The kernel keeps one redacted URL per endpoint: a per-call base URL must not be answered with the
 * default's, nor the default with the last per-call one.
 */
let server: Awaited<ReturnType<typeof scriptedServer>>;
let origin: string;
beforeAll(async () => {
  server = await scriptedServer((_, res) => json(res, 200, { ok: true }));
  origin = server.url;
});
afterAll(() => server.close());

describe('request:start url', () => {
  it("is the endpoint's URL under each call's own base URL, redacted", async () => {
    const plugin = definePlugin({
      name: 'urls',
      version: '1.0.0',
      defaults: { baseUrl: `${origin}/v1` },
      manifest: {
        name: 'urls',
        version: '1.0.0',
        endpoints: [
          { id: 'things', method: 'GET', path: '/things', response: Type.Object({ ok: Type.Boolean() }) },
          { id: 'other', method: 'GET', path: '/other', response: Type.Object({ ok: Type.Boolean() }) },
        ],
      },
    });
    const kernel = createKernel().use(plugin);
    kernel.register(Ports.Transport, new UndiciTransport());
    const urls: string[] = [];
    kernel.events.on('request:start', (e) => urls.push(e.url));
    await kernel.call('things', undefined as never);
    await kernel.call('things', undefined as never, { baseUrl: `${origin}/v2` });
    await kernel.call('other', undefined as never);
    await kernel.call('things', undefined as never);
    // Credentials in a per-call base URL are masked in the event.
    await kernel.call('things', undefined as never, {
      baseUrl: `http://user:t0p-s3cret@${origin.slice(7)}/v3`,
    });
    await kernel.close();
    expect(urls).toEqual([
      `${origin}/v1/things`,
      `${origin}/v2/things`,
      `${origin}/v1/other`,
      `${origin}/v1/things`,
      `http://***:***@${origin.slice(7)}/v3/things`,
    ]);
    expect(urls.join()).not.toContain('t0p-s3cret');
  });
});
