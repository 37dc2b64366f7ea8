import { BearerTokenAuth, definePlugin, type PollProtocol } from 'pristine-kernel';
import { todoManifest } from './manifest.js';

/** Export jobs answer `{job}`; `GET /jobs/{job}` answers `{state: running|done|failed, ...}`. */
const jobs: PollProtocol = {
  pollEndpoint: 'get_job',
  requestId: (body) => (body as { job: string }).job,
  pollInput: ({ requestId }) => ({ job: requestId }),
  read(body) {
    const b = body as { state: string; url?: string; error?: string; progress?: number };
    if (b.state === 'running') return { state: 'pending' };
    if (b.state === 'failed')
      return { state: 'failed', message: b.error ?? 'export failed', category: 'server' };
    return { state: 'complete', value: { url: b.url } };
  },
  // No `onExpired`: an export the server no longer holds fails the future (FutureExpiredError).
  // This API has no long poll: wait 250 ms, doubling to 2 s, between polls that say "running".
  repollPacing: { initialMs: 250, maxMs: 2_000 },
};

export function todoPlugin(options: { baseUrl: string; token: string }) {
  return definePlugin({
    name: 'todo',
    version: '1.0.0',
    manifest: todoManifest,
    defaults: { baseUrl: options.baseUrl, maxRetries: 3, requestIdHeader: 'x-trace-id' },
    auth: { default: new BearerTokenAuth(options.token) },
    headers: { retryCount: 'x-attempt', idempotency: { header: 'idempotency-key' } },
    retryPolicies: { polls: { maxRetries: 0 } },
    pollProtocols: { jobs },
  });
}
