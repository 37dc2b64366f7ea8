// An SDK author's file against the packed kernel's declarations, compiled by pack-install-check.mjs with
// the strictest settings an author may use (strict, exactOptionalPropertyTypes, noUncheckedIndexedAccess,
// skipLibCheck false). Each `@ts-expect-error` must stay an error (an unused one fails the compile).
import {
  createKernel,
  definePlugin,
  defineManifest,
  FakeClock,
  Ports,
  Type,
  type PollProtocol,
} from 'pristine-kernel';

const Page = Type.Object({ data: Type.Array(Type.String()), next: Type.Optional(Type.String()) });
const manifest = defineManifest({
  name: 'files',
  version: '1',
  endpoints: [
    {
      id: 'health',
      method: 'GET',
      path: '/health',
      query: ['verbose'],
      input: Type.Object({ verbose: Type.Optional(Type.Boolean()) }),
      response: Type.Object({ ok: Type.Boolean() }),
    },
    { id: 'ping', method: 'GET', path: '/ping' },
    {
      id: 'get_file',
      method: 'GET',
      path: '/files/{id}',
      input: Type.Object({ id: Type.String() }),
      response: Type.Object({ id: Type.String(), bytes: Type.Integer() }),
    },
    {
      id: 'start_job',
      method: 'POST',
      path: '/jobs',
      future: 'jobs',
      input: Type.Object({ priority: Type.Optional(Type.Integer()) }),
      response: Type.Object({ job: Type.String() }),
      result: Type.Object({ url: Type.String() }),
    },
    {
      id: 'get_job',
      method: 'GET',
      path: '/jobs/{job}',
      input: Type.Object({ job: Type.String() }),
      response: Type.Object({
        state: Type.Union([Type.Literal('running'), Type.Literal('done')]),
        url: Type.Optional(Type.String()),
      }),
    },
    {
      id: 'list',
      method: 'GET',
      path: '/files',
      query: ['after'],
      input: Type.Object({ after: Type.Optional(Type.String()) }),
      response: Page,
      pagination: { style: 'cursor', cursorParam: 'after', nextCursor: 'next', items: 'data' },
    },
    { id: 'feed', method: 'GET', path: '/feed', stream: { event: Type.Object({ n: Type.Integer() }) } },
    { id: 'readme', method: 'GET', path: '/readme', responseType: 'text' },
    {
      id: 'open_session',
      method: 'POST',
      path: '/sessions',
      response: Type.Object({ session: Type.String() }),
    },
    { id: 'beat', method: 'POST', path: '/beat', input: Type.Object({ session: Type.String() }) },
  ],
});

/** Declared on its own: bodies stay `unknown`, and it is taken as before. */
const legacy: PollProtocol = {
  pollEndpoint: 'get_job',
  requestId: (body) => String(body),
  pollInput: ({ requestId }) => ({ job: requestId }),
  read: (body) => ({ state: 'complete', value: body }),
  onExpired: 'fail',
};

const kernel = createKernel({ baseUrl: 'http://127.0.0.1:1' }).use(
  definePlugin({
    name: 'files',
    version: '1',
    manifest,
    pollProtocols: {
      jobs: {
        pollEndpoint: 'get_job',
        requestId: (started) => started.job,
        pollInput: ({ requestId }) => ({ job: requestId }),
        read: (job) =>
          job.state === 'running'
            ? { state: 'pending' }
            : { state: 'complete', value: { url: job.url ?? '' } },
        // No `onExpired`: an expired result fails the future (FutureExpiredError).
      },
      legacy,
    },
    sessionProtocols: {
      main: {
        createEndpoint: 'open_session',
        sessionId: (created) => created.session,
        heartbeatEndpoint: 'beat',
        heartbeatInput: (session) => ({ session }),
        intervalMs: 10_000,
        heartbeatTimeoutMs: 5_000,
      },
    },
  }),
);

export async function author(
  signal?: AbortSignal,
  max?: number,
  timeoutMs?: number,
  after?: string,
): Promise<number> {
  const health: { ok: boolean } = await kernel.call('health');
  await kernel.call('health', undefined, { signal, timeoutMs });
  await kernel.call('ping');
  const file = await kernel.call('get_file', { id: 'f1' });
  // @ts-expect-error get_file requires `id`
  await kernel.call('get_file');
  const future = kernel.submit('start_job');
  const done: { url: string } = await future.result({ timeoutMs, signal });
  // A future is a Promise: `finally`, `catch`, a `Promise<T>` return type.
  const promised: Promise<{ url: string }> = future;
  await promised.finally(() => {}).catch(() => undefined);
  // An optional input member takes `undefined` (read as absent), a required one does not.
  await kernel.call('list', { after });
  await kernel.submit('start_job', { priority: max });
  // @ts-expect-error get_file requires `id`: `undefined` is no id
  await kernel.call('get_file', { id: after });
  const names: string[] = await kernel.paginate('list', { after }).toArray({ max });
  for await (const event of kernel.stream('feed', undefined, { signal })) event.n satisfies number;
  const readme: string = await kernel.call('readme');
  // @ts-expect-error a call's own responseBodies: a codec may decode the body, so it is unknown
  void (await kernel.call('health', undefined, { responseBodies: {} })).ok;
  kernel.validateInput('get_file', { id: readme });
  // @ts-expect-error get_file's input is `{ id }`
  kernel.validateInput('get_file', { ids: readme });
  kernel.register(Ports.Clock, new FakeClock());
  // @ts-expect-error a clock is no transport
  kernel.register(Ports.Transport, new FakeClock());
  const now: number = kernel.resolve(Ports.Clock).now();
  return [health.ok, file.bytes, done.url, names[0], now].length;
}
