import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DurationSchema } from '@bufbuild/protobuf/wkt';
import { Type } from '@sinclair/typebox';
import { createKernel } from '../../src/defaults/kernel.js';
import { defineManifest } from '../../src/kernel/manifest/types.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import type { PollProtocolFor } from '../../src/kernel/manifest/poll-protocols.js';
import type { PollProtocol } from '../../src/ports/futures.js';
import { json, scriptedServer } from '../support/scripted-server.js';

// A poll protocol written in `definePlugin`'s `pollProtocols` reads the poll endpoint's response type
// and the submit endpoints' response type without casts, and its `pollInput` returns the poll endpoint's
// input type. `npm run typecheck` compiles this file: the uncast reads (`job.state`, `submitted.job`)
// did not compile before (both were `unknown`), nor did the misspelt poll input fail; the other
// `@ts-expect-error` lines pin bodies that stay `unknown` (an unused one is a compile error).

const manifest = defineManifest({
  name: 'polls',
  version: '1',
  endpoints: [
    {
      id: 'start_export',
      method: 'POST',
      path: '/exports',
      future: 'jobs',
      input: Type.Object({ format: Type.String() }),
      response: Type.Object({ job: Type.String() }),
      result: Type.Object({ url: Type.String() }),
    },
    {
      id: 'get_job',
      method: 'GET',
      path: '/jobs/{job}',
      input: Type.Object({ job: Type.String() }),
      response: Type.Object({
        state: Type.Union([Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]),
        url: Type.Optional(Type.String()),
        error: Type.Optional(Type.String()),
      }),
    },
    { id: 'start_raw', method: 'POST', path: '/raw', future: 'raw' },
    { id: 'get_raw', method: 'GET', path: '/raw/{id}', input: Type.Object({ id: Type.String() }) },
    {
      id: 'get_coded',
      method: 'GET',
      path: '/coded/{id}',
      input: Type.Object({ id: Type.String() }),
      response: Type.Object({ state: Type.String() }),
      responseBodies: { 'application/x-protobuf': DurationSchema },
    },
  ],
});

/** Declared on its own: `pollEndpoint: string`, bodies `unknown`, taken as before. */
const raw: PollProtocol = {
  pollEndpoint: 'get_raw',
  requestId: (body) => (body as { id: string }).id,
  pollInput: ({ requestId }) => ({ id: requestId }),
  read: (body) => ({ state: 'complete', value: body }),
  onExpired: 'fail',
};

/** Declared on its own, typed from the manifest by `PollProtocolFor`. */
const jobsOnItsOwn: PollProtocolFor<typeof manifest, 'jobs', 'get_job'> = {
  pollEndpoint: 'get_job',
  requestId: (submitted) => submitted.job,
  pollInput: ({ requestId }) => ({ job: requestId }),
  read: (job) => (job.state === 'done' ? { state: 'complete', value: job.url } : { state: 'pending' }),
  onExpired: 'fail',
};

const plugin = (baseUrl: string) =>
  definePlugin({
    name: 'polls',
    version: '1',
    manifest,
    defaults: { baseUrl, maxRetries: 0, breaker: false },
    pollProtocols: {
      jobs: {
        pollEndpoint: 'get_job',
        requestId: (submitted) => submitted.job,
        pollInput: ({ requestId }) => ({ job: requestId }),
        read(job) {
          if (job.state === 'running') return { state: 'pending' };
          if (job.state === 'failed')
            return { state: 'failed', message: job.error ?? 'failed', category: 'server' };
          // @ts-expect-error the response type has no `progress`
          void job.progress;
          return { state: 'complete', value: { url: job.url ?? '' } };
        },
        onExpired: 'fail',
      },
      raw,
      jobsOnItsOwn,
      untyped: {
        pollEndpoint: 'get_raw',
        // @ts-expect-error no endpoint names `untyped` in its `future`: the submit response is unknown
        requestId: (submitted) => submitted.id,
        pollInput: ({ requestId }) => ({ id: requestId }),
        // @ts-expect-error get_raw declares no response schema: the body is unknown
        read: (body) => ({ state: 'complete', value: body.state }),
        onExpired: 'fail',
      },
      coded: {
        pollEndpoint: 'get_coded',
        requestId: () => 'c',
        pollInput: ({ requestId }) => ({ id: requestId }),
        // @ts-expect-error get_coded's answers may be decoded by a codec (responseBodies): unknown
        read: (body) => ({ state: 'complete', value: body.state }),
        onExpired: 'fail',
      },
      misspelt: {
        pollEndpoint: 'get_job',
        requestId: () => 'm',
        // @ts-expect-error get_job's input is `{ job }`: pollInput returns the poll endpoint's input type
        pollInput: ({ requestId }) => ({ jobId: requestId }),
        read: () => ({ state: 'pending' }),
        onExpired: 'fail',
      },
      withResultBodies: {
        pollEndpoint: 'get_job',
        requestId: () => 'r',
        pollInput: ({ requestId }) => ({ job: requestId }),
        resultBodies: () => undefined,
        // A codec may decode some answers of this protocol: `read` takes them as `unknown`.
        read: (body: unknown) => ({ state: 'complete', value: body }),
        onExpired: 'fail',
      },
    },
  });

describe('poll protocols typed from the manifest', () => {
  let server: Awaited<ReturnType<typeof scriptedServer>>;
  let polls = 0;
  beforeAll(async () => {
    server = await scriptedServer((req, res) => {
      if (req.path === '/exports') return json(res, 200, { job: 'j1' });
      polls += 1;
      return json(res, 200, polls < 2 ? { state: 'running' } : { state: 'done', url: 'https://x/j1.csv' });
    });
  });
  afterAll(() => server.close());

  it('reads the typed poll and submit bodies as the kernel hands them over', async () => {
    const kernel = createKernel().use(plugin(server.url));
    const future = kernel.submit('start_export', { format: 'csv' });
    expect(await future.accepted).toBe('j1');
    const result: { url: string } = await future;
    expect(result).toEqual({ url: 'https://x/j1.csv' });
    expect(server.seen.map((s) => `${s.method} ${s.path}`)).toEqual([
      'POST /exports',
      'GET /jobs/j1',
      'GET /jobs/j1',
    ]);
    await kernel.close();
  });
});
