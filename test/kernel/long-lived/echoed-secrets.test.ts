import { afterEach, describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import { Type } from '@sinclair/typebox';
import { TokenProviderAuth } from '../../../src/adapters/auth/token-provider.js';
import { FutureFailedError } from '../../../src/kernel/futures/future-errors.js';
import { createKernel } from '../../../src/defaults/kernel.js';
import { definePlugin } from '../../../src/kernel/plugin.js';
import { StreamEventError } from '../../../src/kernel/streams/stream-errors.js';
import type { PollProtocol } from '../../../src/ports/futures.js';
import { Ports } from '../../../src/ports/index.js';
import { RecordingClock } from '../../support/recording-clock.js';
import { json, scriptedServer } from '../../support/scripted-server.js';

/*
 * Errors built from server data outside the request pipeline (a failed future's message and body, an
 * SSE error event) are scrubbed of the kernel's secrets too: here a server echoes the bearer token a
 * TokenProviderAuth fetched into both.
 */
const TOKEN = 'tok-long-lived-a1b2c3d4e5f6a7b8';

const protocol: PollProtocol<unknown> = {
  pollEndpoint: 'poll_job',
  requestId: (body) => (body as { id: string }).id,
  pollInput: ({ requestId }) => ({ id: requestId }),
  read: (body) => {
    const b = body as { message: string; echo: unknown };
    return { state: 'failed', message: b.message, category: 'user', body: b };
  },
  onExpired: 'fail',
};

function kernelFor(url: string) {
  const kernel = createKernel().use(
    definePlugin({
      name: 'echoes',
      version: '1',
      defaults: { baseUrl: url, breaker: false },
      auth: { default: new TokenProviderAuth(async () => TOKEN) },
      pollProtocols: { jobs: protocol },
      manifest: {
        name: 'echoes',
        version: '1',
        endpoints: [
          { id: 'start_job', method: 'POST', path: '/jobs', future: 'jobs' },
          { id: 'poll_job', method: 'POST', path: '/poll', input: Type.Object({ id: Type.String() }) },
          { id: 'events', method: 'GET', path: '/events', stream: { errorEvent: 'error' } },
        ],
      },
    }),
  );
  kernel.register(Ports.Clock, new RecordingClock());
  return kernel;
}

function renderings(error: Error): string[] {
  return [
    error.message,
    String(error.stack),
    String(error),
    inspect(error),
    inspect(error, { depth: Infinity, showHidden: true }),
    JSON.stringify(error),
  ];
}

let closeAll: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closeAll.map((close) => close()));
  closeAll = [];
});

describe('secrets echoed into long-lived operations', () => {
  it('scrub a failed future whose message and body echo the fetched token', async () => {
    const server = await scriptedServer((req, res) => {
      if (req.path === '/jobs') return json(res, 200, { id: 'job-1' });
      const token = String(req.headers.authorization).replace('Bearer ', '');
      json(res, 200, { message: `job failed for token ${token}`, echo: { seen: token } });
    });
    const kernel = kernelFor(server.url);
    closeAll.push(server.close, () => kernel.close());

    const error = await kernel.submit('start_job', {}).then(
      () => undefined,
      (e: unknown) => e as Error,
    );

    expect(error).toBeInstanceOf(FutureFailedError);
    expect(server.seen.at(-1)!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    for (const text of renderings(error!)) expect(text).not.toContain(TOKEN);
    expect(error!.message).toContain('[REDACTED]');
  });

  it('scrub an SSE error event that echoes the fetched token', async () => {
    const server = await scriptedServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const token = String(req.headers.authorization).replace('Bearer ', '');
      res.end(`event: error\ndata: ${JSON.stringify({ detail: `bad token ${token}` })}\n\n`);
    });
    const kernel = kernelFor(server.url);
    closeAll.push(server.close, () => kernel.close());

    let error: Error | undefined;
    try {
      for await (const _event of kernel.stream('events', {})) void _event;
    } catch (e) {
      error = e as Error;
    }

    expect(error).toBeInstanceOf(StreamEventError);
    for (const text of renderings(error!)) expect(text).not.toContain(TOKEN);
  });
});
