import type { EndpointSpec } from 'pristine-kernel';
import { UntypedAPIFutureSchema } from '../types/futures.js';
import {
  SampleRequestSchema,
  SampleStreamEventSchema,
  StreamSampleRequestSchema,
} from '../types/sampling.js';

/** Sampling (the SAMPLE pool): the client's retry handler resubmits, so no transport retries. */
export const samplingEndpoints = [
  // Sampling: the client's retry handler resubmits with a new seq_id, so no transport retries.
  {
    id: 'asample',
    method: 'POST',
    path: '/api/v1/asample',
    resource: 'sampling',
    weight: 'promptBytes',
    retry: 'none',
    future: 'tinker',
    input: SampleRequestSchema,
    response: UntypedAPIFutureSchema,
  },
  {
    id: 'stream_sample',
    method: 'POST',
    path: '/api/v1/stream_sample',
    resource: 'sampling',
    // The default policy, as any other call: the kernel's stream retries only until the first event
    // reaches the caller (openai-node's rule), so a retry never repeats a token. No retry handler here.
    stream: {
      terminator: '[DONE]',
      errorEvent: 'error',
      idleTimeoutMs: 60_000,
      event: SampleStreamEventSchema,
    },
    input: StreamSampleRequestSchema,
  },
] as const satisfies readonly EndpointSpec[];
