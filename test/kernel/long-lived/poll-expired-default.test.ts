import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { createKernel } from '../../../src/defaults/kernel.js';
import { defineManifest } from '../../../src/kernel/manifest/types.js';
import { definePlugin } from '../../../src/kernel/plugin.js';
import { FutureExpiredError } from '../../../src/kernel/futures/future-errors.js';
import { json, scriptedServer } from '../../support/scripted-server.js';

// A poll protocol may leave `onExpired` out (it was required): an expired answer then fails the future
// with `FutureExpiredError` naming the request id, nothing resubmitted. `npm run typecheck` compiles the
// protocol below without `onExpired`, which did not compile before.

const manifest = defineManifest({
  name: 'expiring',
  version: '1',
  endpoints: [
    {
      id: 'start_job',
      method: 'POST',
      path: '/jobs',
      future: 'jobs',
      response: Type.Object({ job: Type.String() }),
    },
    {
      id: 'get_job',
      method: 'GET',
      path: '/jobs/{job}',
      input: Type.Object({ job: Type.String() }),
      response: Type.Object({ state: Type.String() }),
    },
  ],
});

describe('a poll protocol without onExpired', () => {
  let server: Awaited<ReturnType<typeof scriptedServer>>;
  beforeAll(async () => {
    server = await scriptedServer((req, res) => {
      if (req.path === '/jobs') return json(res, 200, { job: 'j1' });
      if (req.path === '/jobs/j1') return json(res, 200, { state: 'expired' });
      return json(res, 404, {});
    });
  });
  afterAll(() => server.close());

  const kernel = () =>
    createKernel().use(
      definePlugin({
        name: 'expiring',
        version: '1',
        manifest,
        defaults: { baseUrl: server.url, maxRetries: 3, breaker: false },
        pollProtocols: {
          jobs: {
            pollEndpoint: 'get_job',
            requestId: (started) => started.job,
            pollInput: ({ requestId }) => ({ job: requestId }),
            read: (job) => (job.state === 'expired' ? { state: 'expired' } : { state: 'pending' }),
          },
        },
      }),
    );

  it('fails the future with FutureExpiredError on an expired reading, resubmitting nothing', async () => {
    const client = kernel();
    const before = server.seen.length;
    const error = await client.submit('start_job').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FutureExpiredError);
    expect(error).toMatchObject({
      requestId: 'j1',
      message: 'The result of j1 expired before it was fetched',
    });
    expect(server.seen.slice(before).map((s) => `${s.method} ${s.path}`)).toEqual([
      'POST /jobs',
      'GET /jobs/j1',
    ]);
    await client.close();
  });
});
