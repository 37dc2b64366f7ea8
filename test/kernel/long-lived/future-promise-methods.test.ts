import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { Type } from '@sinclair/typebox';
import { createKernel } from '../../../src/defaults/kernel.js';
import { defineManifest } from '../../../src/kernel/manifest/types.js';
import { definePlugin } from '../../../src/kernel/plugin.js';
import { FutureFailedError } from '../../../src/kernel/futures/future-errors.js';
import { json, scriptedServer } from '../../support/scripted-server.js';
import { runCli } from '../../support/spawn-cli.js';

// An `APIFuture` has a promise's `then`, `catch` and `finally`, and is assignable to `Promise<T>` (an
// author wrapped it in `Promise.resolve` for `.finally`). `npm run typecheck` compiles this file: the
// `Promise<…>` annotations did not compile before (no `finally`, no `Symbol.toStringTag`).

const manifest = defineManifest({
  name: 'promised',
  version: '1',
  endpoints: [
    {
      id: 'start_job',
      method: 'POST',
      path: '/jobs',
      future: 'jobs',
      input: Type.Object({ fail: Type.Boolean() }),
      response: Type.Object({ job: Type.String() }),
      result: Type.Object({ url: Type.String() }),
    },
    { id: 'get_job', method: 'GET', path: '/jobs/{job}', input: Type.Object({ job: Type.String() }) },
  ],
});

describe('an APIFuture used as a Promise', () => {
  let server: Awaited<ReturnType<typeof scriptedServer>>;
  beforeAll(async () => {
    server = await scriptedServer((req, res) => {
      if (req.path === '/jobs')
        return json(res, 200, { job: (req.body as { fail: boolean }).fail ? 'bad' : 'ok' });
      if (req.path === '/jobs/ok') return json(res, 200, { state: 'done', url: 'https://x/ok' });
      return json(res, 200, { state: 'failed' });
    });
  });
  afterAll(() => server.close());

  const kernelFor = () =>
    createKernel().use(
      definePlugin({
        name: 'promised',
        version: '1',
        manifest,
        defaults: { baseUrl: server.url, maxRetries: 0, breaker: false },
        pollProtocols: {
          jobs: {
            pollEndpoint: 'get_job',
            requestId: (started) => started.job,
            pollInput: ({ requestId }) => ({ job: requestId }),
            read: (body) =>
              (body as { state: string }).state === 'done'
                ? { state: 'complete', value: { url: (body as { url: string }).url } }
                : { state: 'failed', message: 'the job failed', category: 'server' },
          },
        },
      }),
    );

  it('finally runs once it settles and passes the value or the failure on; catch sees the failure', async () => {
    const kernel = kernelFor();
    const seen: string[] = [];
    const done: Promise<{ url: string }> = kernel.submit('start_job', { fail: false });
    await expect(done.finally(() => seen.push('finally ok'))).resolves.toEqual({ url: 'https://x/ok' });
    const failing = kernel.submit('start_job', { fail: true });
    await expect(failing.finally(() => seen.push('finally failed'))).rejects.toBeInstanceOf(
      FutureFailedError,
    );
    const caught: { url: string } | string = await failing.catch((error: unknown) => (error as Error).name);
    expect(caught).toBe('FutureFailedError');
    expect(seen).toEqual(['finally ok', 'finally failed']);
    // Still the future it was: its request id, and named as one.
    expect(failing.requestId).toBe('bad');
    expect(Object.prototype.toString.call(failing)).toBe('[object APIFuture]');
    await kernel.close();
  });

  it('returns from a function typed `Promise<T>`, and joins Promise.all and Promise.race', async () => {
    const kernel = kernelFor();
    const exportUrl = (): Promise<{ url: string }> => kernel.submit('start_job', { fail: false });
    const [one, two] = await Promise.all([exportUrl(), kernel.submit('start_job', { fail: false })]);
    expect([one.url, two.url]).toEqual(['https://x/ok', 'https://x/ok']);
    await expect(Promise.race([kernel.submit('start_job', { fail: true })])).rejects.toBeInstanceOf(
      FutureFailedError,
    );
    await kernel.close();
  });

  it('futures that fail with nobody awaiting them leave no unhandled rejection (a plain Node process)', async () => {
    const script = fileURLToPath(new URL('../fixtures/unawaited-futures-run.ts', import.meta.url));
    const { code, stdout, stderr } = await runCli(script, []);
    expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: 'unhandled rejections: 0\n', stderr: '' });
  });
});
