import { Type } from '@sinclair/typebox';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import type { Clock } from '../../src/ports/clock.js';
import type { PollProtocol } from '../../src/ports/futures.js';
import { Ports } from '../../src/ports/index.js';

/**
 * A kernel on `clock` with a made-up job API at `url`: `start_job` (POST /jobs, answers `{id}`) returns
 * a future polled with `poll_job` (POST /poll, `{id}`) under `protocol`.
 */
export function jobsKernel<T>(url: string, clock: Clock, protocol: PollProtocol<T>, maxRetries = 10) {
  const plugin = definePlugin({
    name: 'jobs',
    version: '1',
    defaults: { baseUrl: url, breaker: false, maxRetries },
    pollProtocols: { jobs: protocol },
    manifest: {
      name: 'jobs',
      version: '1',
      endpoints: [
        { id: 'start_job', method: 'POST', path: '/jobs', input: Type.Object({}), future: 'jobs' },
        { id: 'poll_job', method: 'POST', path: '/poll', input: Type.Object({ id: Type.String() }) },
      ],
    },
  });
  const kernel = createKernel().use(plugin);
  kernel.register(Ports.Clock, clock);
  return kernel;
}
