import type { PollProtocol, PollReading } from 'pristine';
import { categoryOf, RequestFailedError } from './errors.js';
import { REQUEST_TYPES } from '../types/futures.js';

/**
 * How Tinker futures are polled: `POST /api/v1/retrieve_future` with the request id, the iteration and
 * request-type headers, read exactly as the Python SDK reads the answers.
 */
export const tinkerPollProtocol: PollProtocol = {
  pollEndpoint: 'retrieve_future',
  requestId: (body) => (body as { request_id: string }).request_id,
  pollInput: ({ requestId, allowMetadataOnly }) =>
    allowMetadataOnly ? { request_id: requestId, allow_metadata_only: true } : { request_id: requestId },
  pollHeaders: ({ iteration, submitEndpoint, submitRoundtripMs }) => ({
    'X-Tinker-Request-Iteration': String(iteration),
    'X-Tinker-Request-Type': REQUEST_TYPES[submitEndpoint] ?? submitEndpoint,
    ...(iteration === 0
      ? { 'X-Tinker-Create-Promise-Roundtrip-Time': String(submitRoundtripMs / 1000) }
      : {}),
    'X-Stainless-Raw-Response': 'raw',
  }),
  read(body): PollReading {
    const b = (body ?? {}) as Record<string, unknown>;
    if (b.type === 'try_again') {
      return {
        state: 'try_again',
        queueState: typeof b.queue_state === 'string' ? b.queue_state : 'unknown',
        reason: typeof b.queue_state_reason === 'string' ? b.queue_state_reason : undefined,
      };
    }
    if (b.status === 'complete_metadata')
      return { state: 'complete_metadata', sizeBytes: Number(b.response_payload_size ?? 0) };
    if ('error' in b && b.error !== undefined && b.error !== null) {
      return { state: 'failed', message: String(b.error), category: categoryOf(b.category), body };
    }
    return { state: 'complete', value: body };
  },
  failedError: ({ message, category, body }, requestId) =>
    new RequestFailedError(message, requestId, category, body),
  // Training futures resubmit with the same seq_id (the server deduplicates); sampling resubmits anew.
  onExpired: 'resubmit',
  pollTimeoutMs: 45_000,
  backoffBaseMs: 1_000,
  backoffMaxMs: 30_000,
};
