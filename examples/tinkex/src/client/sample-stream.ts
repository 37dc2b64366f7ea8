import { abortErrorFor, ClientClosedError } from 'pristine-kernel';
import type { SampleResponse } from '../types/schemas.js';

/** One streamed event of `sampleStream`. */
export type SampleStreamChunk =
  | { type: 'token'; index: number; token: number; logprob: number }
  | { type: 'done'; response: SampleResponse };

/**
 * The events of a complete response, for servers without the SSE extension. Like the real stream, it
 * yields nothing once `signal` is aborted (rejecting with `APIUserAbortError`) or the client closed
 * (`stopping`, rejecting with the ClientClosedError of any call after close).
 */
export function* fallbackStream(
  response: SampleResponse,
  signal: AbortSignal | undefined,
  stopping: AbortSignal,
): Generator<SampleStreamChunk> {
  const stopIfAborted = () => {
    if (signal?.aborted) throw abortErrorFor(signal);
    if (stopping.aborted) throw ClientClosedError.forCall(STREAM_SAMPLE);
  };
  const sequence = response.sequences[0];
  for (let i = 0; i < sequence.tokens.length; i++) {
    stopIfAborted();
    yield {
      type: 'token',
      index: i,
      token: sequence.tokens[i],
      logprob: sequence.logprobs?.[i] ?? Number.NaN,
    };
  }
  stopIfAborted();
  yield { type: 'done', response };
  stopIfAborted();
}

/** The call a fallback stream stands in for, as a closed client names it. */
const STREAM_SAMPLE = { id: 'stream_sample', spec: {} };
