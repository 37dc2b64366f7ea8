import type { PortToken } from './port-token.js';
/** One server-sent event, as the WHATWG event-stream rules define it. */
export interface ServerSentEvent {
  event: string;
  data: string;
  id?: string;
  retry?: number;
}

/** Push-based decoder: feed chunks, get complete events. */
export interface SseDecoder {
  feed(chunk: Uint8Array): ServerSentEvent[];
  /** Flush at end of stream (an unterminated final event is discarded, per spec). */
  end(): ServerSentEvent[];
  /** The last event id seen, for reconnects. */
  readonly lastEventId: string | undefined;
}

/** Streaming port: builds SSE decoders. */
export interface Streaming {
  createDecoder(options?: { maxBufferSize?: number }): SseDecoder;
}

export const StreamingToken = Symbol.for('pristine.port.Streaming') as PortToken<Streaming>;
