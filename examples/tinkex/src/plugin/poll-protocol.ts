import type { PollProtocol, PollReading } from 'pristine-kernel';
import { isMessage } from 'pristine-kernel/protobuf';
import { categoryOf, RequestFailedError } from './errors.js';
import { REQUEST_TYPES } from '../types/futures.js';
import { ForwardBackwardOutputSchema, SampleResponseSchema } from '../proto/gen/tinker_public_pb.js';
import { forwardBackwardOutputFromProto } from '../proto/forward-backward-output.js';
import {
  FORWARD_BACKWARD_OUTPUT_BODY,
  ReadForwardBackwardOutput,
} from '../proto/forward-backward-output-reader.js';
import { sampleResponseFromProto } from '../proto/sample-response.js';
import { ReadSampleResponse, SAMPLE_RESPONSE_BODY } from '../proto/sample-response-reader.js';
import type { TinkerProtocol } from '../protocol/tinker-protocol.js';

const PROTOBUF = 'application/x-protobuf';

/**
 * Request types whose results come back as protobuf in 0.25 (tinker-wire-0.25.md §7, §8), and how each
 * is read: by hand-written readers on protobuf-es's BinaryReader, which hand anything unusual to
 * protobuf-es's `fromBinary`.
 */
const PROTO_RESULTS: Readonly<Record<string, unknown>> = {
  Sample: SAMPLE_RESPONSE_BODY,
  ForwardBackward: FORWARD_BACKWARD_OUTPUT_BODY,
  Forward: FORWARD_BACKWARD_OUTPUT_BODY,
};
const RESULT_BODIES: Readonly<Record<string, Readonly<Record<string, unknown>>>> = Object.fromEntries(
  Object.entries(PROTO_RESULTS).map(([type, body]) => [type, { [PROTOBUF]: body }]),
);

/**
 * How Tinker futures are polled: `POST /api/v1/retrieve_future` with the request id, the iteration and
 * request-type headers, read exactly as the Python SDK reads the answers. In 0.25 mode Sample and
 * forward/backward polls ask for protobuf, metadata-only answers are offered from the first poll (the
 * result is then fetched within `inflight_response_bytes_semaphore_size`), bare 400s get 3 re-polls and
 * a 402 is a billing pause.
 */
export function tinkerPollProtocol(
  protocol: TinkerProtocol,
  options: { errorBackoffMs?: (iteration: number) => number } = {},
): PollProtocol {
  const v025 = () => protocol.mode === 'v025';
  const requestType = (submitEndpoint: string) => REQUEST_TYPES[submitEndpoint] ?? submitEndpoint;
  return {
    pollEndpoint: 'retrieve_future',
    requestId: (body) => (body as { request_id: string }).request_id,
    pollInput: ({ requestId, allowMetadataOnly }) =>
      v025() || allowMetadataOnly
        ? { request_id: requestId, allow_metadata_only: allowMetadataOnly }
        : { request_id: requestId },
    // One object literal per variant, not assignments to `{}`: an empty literal keeps room for four
    // properties in the object itself, and 0.25's first poll of a Sample carries five, so each such poll
    // also held an out-of-object property array (0.25 only; docs/performance-notes.md, round 22 notes).
    pollHeaders: ({ iteration, submitEndpoint, submitRoundtripMs }): Record<string, string> => {
      const type = requestType(submitEndpoint);
      const count = String(iteration);
      if (v025() && PROTO_RESULTS[type])
        return iteration === 0
          ? {
              Accept: PROTOBUF,
              'X-Tinker-Request-Iteration': count,
              'X-Tinker-Request-Type': type,
              'X-Tinker-Create-Promise-Roundtrip-Time': String(submitRoundtripMs / 1000),
              'X-Stainless-Raw-Response': 'raw',
            }
          : {
              Accept: PROTOBUF,
              'X-Tinker-Request-Iteration': count,
              'X-Tinker-Request-Type': type,
              'X-Stainless-Raw-Response': 'raw',
            };
      return iteration === 0
        ? {
            'X-Tinker-Request-Iteration': count,
            'X-Tinker-Request-Type': type,
            'X-Tinker-Create-Promise-Roundtrip-Time': String(submitRoundtripMs / 1000),
            'X-Stainless-Raw-Response': 'raw',
          }
        : {
            'X-Tinker-Request-Iteration': count,
            'X-Tinker-Request-Type': type,
            'X-Stainless-Raw-Response': 'raw',
          };
    },
    resultBodies: ({ submitEndpoint }) => RESULT_BODIES[requestType(submitEndpoint)],
    metadataFirst: v025,
    // Two-phase retrieval as the Python SDK: a metadata-only answer's size is taken from the server's
    // in-flight result budget before the result is fetched, and held until the future settles.
    inflightResultBytes: () => (v025() ? protocol.flags.inflight_response_bytes_semaphore_size : undefined),
    read(body): PollReading {
      if (body instanceof ReadSampleResponse) return { state: 'complete', value: body.value };
      if (body instanceof ReadForwardBackwardOutput) return { state: 'complete', value: body.value };
      if (isMessage(body, SampleResponseSchema))
        return { state: 'complete', value: sampleResponseFromProto(body) };
      if (isMessage(body, ForwardBackwardOutputSchema))
        return { state: 'complete', value: forwardBackwardOutputFromProto(body) };
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
    // Elixir tinkex's opt-in `poll_backoff` after 408/5xx; the Python SDK re-polls at once.
    ...(options.errorBackoffMs ? { errorBackoffMs: options.errorBackoffMs } : {}),
    pollTimeoutMs: 45_000,
    backoffBaseMs: 1_000,
    backoffMaxMs: 30_000,
    // Plain getters: the flags are known only after negotiation, and legacy mode keeps 0.7.0's rules.
    get badRequestRetries() {
      return v025() ? 3 : 0;
    },
    get pause() {
      return v025()
        ? {
            status: 402,
            delayMs: 5_000,
            maxPauseMs: () => protocol.flags.billing_exception_max_pause_duration_sec * 1000,
          }
        : undefined;
    },
  };
}
