import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { PristineError } from '../../../src/kernel/errors/pristine-error.js';
import { createKernel } from '../../../src/defaults/kernel.js';
import { definePlugin } from '../../../src/kernel/plugin.js';
import type { PollReading } from '../../../src/ports/futures.js';

/**
 * Found by hand: a poll protocol whose `read` returned a state the kernel does not know (a JavaScript
 * plugin, a cast, a server status mapped through as it came) made the poll loop throw a TypeError
 * ("reading 'next'") outside any promise the caller held: the process died of an uncaught exception
 * and the future never settled. Such a reading fails the future, naming the protocol and the state.
 */
let server: http.Server;
let baseUrl = '';
beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const poll = req.url?.startsWith('/jobs/');
      res.writeHead(poll ? 200 : 202, { 'content-type': 'application/json' });
      res.end(poll ? '{"status":"paused"}' : '{"job_id":"j1"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

it.each<[string, unknown]>([
  ['a state it does not know', { state: 'paused' }],
  ['no reading at all', undefined],
])('a poll protocol that reads %s fails the future, naming the protocol', async (_what, reading) => {
  const kernel = createKernel().use(
    definePlugin({
      name: 'jobs',
      version: '1',
      defaults: { baseUrl, maxRetries: 0 },
      pollProtocols: {
        jobs: {
          pollEndpoint: 'get_job',
          requestId: (body) => (body as { job_id: string }).job_id,
          pollInput: ({ requestId }) => ({ job: requestId }),
          read: () => reading as PollReading<number>,
          onExpired: 'fail',
        },
      },
      manifest: {
        name: 'jobs',
        version: '1',
        endpoints: [
          { id: 'start', method: 'POST' as const, path: '/jobs', future: 'jobs', input: Type.Object({}) },
          {
            id: 'get_job',
            method: 'GET' as const,
            path: '/jobs/{job}',
            input: Type.Object({ job: Type.String() }),
          },
        ],
      },
    }),
  );
  try {
    const error = await kernel.submit('start', {}).then(
      () => 'resolved',
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PristineError);
    expect(String(error)).toMatch(/poll protocol polling "get_job" for j1 read (state "paused"|no reading)/);
  } finally {
    await kernel.close();
  }
});
