import { afterAll, beforeAll, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import type { Stage } from '../../src/kernel/plugin-contract.js';

/**
 * Found by hand (probe36e): a plugin stage placed before `transport` that throws once the server has
 * answered (a response-signature check) left the answer unread and uncancelled: its socket and its
 * attempt's deadline timer (timeoutMs, 60 s by default) stayed, and a script exited only when the timer
 * ran out, after close(). The answer nobody will read is now let go of.
 */
let server: http.Server;
let url = '';
let released: Promise<void>;

beforeAll(async () => {
  let release!: () => void;
  released = new Promise((r) => (release = r));
  server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"n":'); // the rest never comes: only the client letting go ends this exchange
    res.on('close', release);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

it('an answer a stage below classify dropped by throwing is let go of, not held to its deadline', async () => {
  const check: Stage = {
    name: 'signature',
    run: (_context, next) =>
      next().then(() => {
        throw new Error('bad signature');
      }),
  };
  const kernel = createKernel().use(
    definePlugin({
      name: 'svc',
      version: '1',
      defaults: { baseUrl: url, maxRetries: 0, timeoutMs: 600_000 },
      stages: [{ stage: check, placement: { before: 'transport' } }],
      manifest: { name: 'svc', version: '1', endpoints: [{ id: 'a', method: 'GET', path: '/a' }] },
    }),
  );
  await expect(kernel.call('a', {})).rejects.toThrow('bad signature');
  await released; // before: only at the 600 s deadline (the test timed out)
  await kernel.close();
});
