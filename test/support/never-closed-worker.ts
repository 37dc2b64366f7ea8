// A script that uses a kernel with shared state in Redis and never closes it (spawned by
// never-closed*.test.ts (test/adapters/redis) through test/support/ts-loader.mjs): NC_CALLS calls (default 1) to NC_BASE_URL,
// each printed as one JSON line ({"event":"called", n, ok, error?}); before each call after the first it
// waits for one line on stdin (the test's go-ahead), then stops reading. Then it prints {"event":"done"}
// and leaves the event loop to decide when the process exits: it must, by itself, with code 0. With
// NC_CLOSE=1 it closes the kernel first (twice), then prints {"event":"closed"}.
import { Type } from '@sinclair/typebox';
import { createKernel, definePlugin, Ports, UndiciTransport } from 'pristine-kernel';

const env = process.env;
const seeds = env.NC_REDIS!.split(',');
const kernel = createKernel({
  logLevel: (env.NC_LOG as 'debug' | undefined) ?? 'warn',
  shared: {
    redis: seeds.length > 1 ? seeds : seeds[0]!,
    cluster: env.NC_CLUSTER === '1',
    keyPrefix: env.NC_PREFIX,
    onUnavailable: (env.NC_ON_UNAVAILABLE as 'local' | 'reject' | undefined) ?? 'local',
  },
}).use(
  definePlugin({
    name: 'nc',
    version: '1',
    defaults: { baseUrl: env.NC_BASE_URL, maxRetries: 0, timeoutMs: 30_000 },
    concurrency: { jobs: { maxConcurrent: Number(env.NC_LIMIT ?? 2) } },
    manifest: {
      name: 'nc',
      version: '1',
      endpoints: [
        {
          id: 'work',
          method: 'POST',
          path: '/work',
          resource: 'jobs',
          input: Type.Object({ n: Type.Integer() }),
        },
      ],
    },
  }),
);
kernel.register(Ports.Transport, new UndiciTransport());

const say = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);

/** The next line on stdin; stdin is let go after it (a pipe being read would hold the process). */
function goAhead(): Promise<void> {
  return new Promise((resolve) => {
    process.stdin.once('data', () => {
      process.stdin.destroy();
      resolve();
    });
  });
}

const calls = Number(env.NC_CALLS ?? 1);
for (let n = 1; n <= calls; n++) {
  if (n > 1) await goAhead();
  try {
    await kernel.call('work', { n });
    say({ event: 'called', n, ok: true });
  } catch (error) {
    say({
      event: 'called',
      n,
      ok: false,
      error: error instanceof Error ? error.constructor.name : String(error),
    });
  }
}
say({ event: 'done' });
// NC_CLOSE=1: close after all (twice: the second is a no-op), as a script should.
if (env.NC_CLOSE === '1') {
  await kernel.close();
  await kernel.close();
  say({ event: 'closed' });
}
