// One worker process of a fleet (spawned by fleet.test.ts through test/support/ts-loader.mjs): a kernel with
// shared state in Redis and a plugin whose `jobs` resource allows FLEET_LIMIT calls in flight. It makes
// FLEET_CALLS calls, FLEET_PARALLEL at a time, to FLEET_BASE_URL + FLEET_PATH, and prints one JSON line
// per event to stdout: {"ready"}, then {"done", ok, failed, errors}.
import { Type } from '@sinclair/typebox';
import { createKernel, definePlugin, Ports, UndiciTransport } from 'pristine-kernel';

const env = process.env;
const limit = Number(env.FLEET_LIMIT);
const kernel = createKernel({
  logLevel: 'info',
  shared: {
    redis: env.FLEET_REDIS!,
    keyPrefix: env.FLEET_PREFIX,
    leaseMs: Number(env.FLEET_LEASE_MS ?? 10_000),
  },
}).use(
  definePlugin({
    name: 'fleet',
    version: '1',
    defaults: { baseUrl: env.FLEET_BASE_URL, maxRetries: 5, breaker: false, timeoutMs: 30_000 },
    concurrency: { jobs: { maxConcurrent: limit } },
    manifest: {
      name: 'fleet',
      version: '1',
      endpoints: [
        {
          id: 'work',
          method: 'POST',
          path: env.FLEET_PATH ?? '/work',
          resource: 'jobs',
          input: Type.Object({ worker: Type.String(), n: Type.Integer() }),
        },
      ],
    },
  }),
);
kernel.register(Ports.Transport, new UndiciTransport());

const say = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);
const worker = env.FLEET_NAME ?? String(process.pid);
const calls = Number(env.FLEET_CALLS);
let next = 0;
let ok = 0;
const errors: string[] = [];
say({ event: 'ready', worker });
await Promise.all(
  Array.from({ length: Number(env.FLEET_PARALLEL) }, async () => {
    while (next < calls) {
      const n = next++;
      try {
        await kernel.call('work', { worker, n });
        ok++;
      } catch (error) {
        errors.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      }
    }
  }),
);
await kernel.close();
say({ event: 'done', worker, ok, failed: errors.length, errors: errors.slice(0, 3) });
