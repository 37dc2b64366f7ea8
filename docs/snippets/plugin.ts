// docs/snippets/plugin.ts
import { BearerTokenAuth, definePlugin, type PollProtocol } from 'pristine-kernel';
import { todoManifest } from './manifest.js';

/** `GET /jobs/{job}` answers `{ state: 'running' | 'done' | 'failed', url?, error? }`. */
interface JobBody {
  state: 'running' | 'done' | 'failed';
  url?: string;
  error?: string;
}

const jobs: PollProtocol<{ url: string }> = {
  pollEndpoint: 'get_job',
  requestId: (body) => (body as { job: string }).job,
  pollInput: ({ requestId }) => ({ job: requestId }),
  read(body) {
    const job = body as JobBody;
    if (job.state === 'running') return { state: 'pending' };
    if (job.state === 'failed')
      return { state: 'failed', message: job.error ?? 'failed', category: 'server' };
    return { state: 'complete', value: { url: job.url ?? '' } };
  },
  onExpired: 'fail',
  pendingDelayMs: 250, // this API has no long poll: wait a little between polls
};

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
    pollProtocols: { jobs }, // how to poll `future: 'jobs'` endpoints
  });
}
