import type { SseDecoder, Streaming } from '../../ports/streaming.js';
import { WhatwgSseDecoder } from './sse-decoder.js';

/** The Streaming port: WHATWG-conformant SSE decoders. */
export class SseStreaming implements Streaming {
  createDecoder(options: { maxBufferSize?: number } = {}): SseDecoder {
    return new WhatwgSseDecoder(options.maxBufferSize);
  }
}
