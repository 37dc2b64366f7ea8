import { createKernel } from '../../src/defaults/kernel.js';
import type { StreamSpec } from '../../src/kernel/manifest/types.js';
import { definePlugin } from '../../src/kernel/plugin.js';

/**
 * A kernel with one plugin, `feed`, whose only endpoint is the SSE stream `ticks` (GET /ticks) at
 * `baseUrl`, with `stream` as its spec (its event type is what `kernel.stream` yields) and no breaker:
 * the set-up of the kernel's stream tests.
 */
export function feedKernel<const S extends StreamSpec>(
  baseUrl: string,
  stream: S,
  options: { logLevel?: 'off' } = {},
) {
  return createKernel(options).use(
    definePlugin({
      name: 'feed',
      version: '1',
      defaults: { baseUrl, breaker: false },
      manifest: {
        name: 'feed',
        version: '1',
        endpoints: [{ id: 'ticks', method: 'GET', path: '/ticks', stream }],
      },
    }),
  );
}
