// docs/snippets/plugin.ts
import { BearerTokenAuth, definePlugin } from 'pristine-kernel';
import { todoManifest } from './manifest.js';

export interface TodoPluginOptions {
  baseUrl: string;
  token: string;
}

export function todoPlugin({ baseUrl, token }: TodoPluginOptions) {
  return definePlugin({
    name: 'todo',
    version: '1.0.0',
    manifest: todoManifest,
    defaults: { baseUrl, maxRetries: 3, requestIdHeader: 'x-trace-id' },
    auth: { default: new BearerTokenAuth(token) }, // or ApiKeyHeaderAuth, TokenProviderAuth
    headers: { retryCount: 'x-attempt', idempotency: { header: 'idempotency-key' } },
    retryPolicies: { polls: { maxRetries: 0 } },
    pollProtocols: {
      // How to poll `future: 'jobs'` endpoints, typed from the manifest: `read` takes get_job's
      // response, `requestId` start_export's.
      jobs: {
        pollEndpoint: 'get_job',
        requestId: (started) => started.job,
        pollInput: ({ requestId }) => ({ job: requestId }),
        read(job) {
          if (job.state === 'running') return { state: 'pending' };
          if (job.state === 'failed')
            return { state: 'failed', message: job.error ?? 'failed', category: 'server' };
          return { state: 'complete', value: { url: job.url ?? '' } };
        },
        // No `onExpired`: a result the server no longer holds fails the future (FutureExpiredError).
        repollPacing: { initialMs: 250, maxMs: 2_000 }, // no long poll: 250 ms, doubling to 2 s, between polls
      },
    },
  });
}
