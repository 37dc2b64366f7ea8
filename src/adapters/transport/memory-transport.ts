import type { Transport, TransportRequest, TransportResponse } from '../../ports/transport.js';
import { APIUserAbortError } from '../../kernel/errors/api-errors.js';

export interface MemoryResponse {
  status: number;
  headers?: Record<string, string>;
  /** A string, bytes, a JSON value, or chunks to stream. */
  body?: string | Uint8Array | AsyncIterable<Uint8Array> | object;
}

export type MemoryHandler = (request: TransportRequest) => MemoryResponse | Promise<MemoryResponse>;

/**
 * An in-memory transport for tests: answers from a handler and records every request. Swap it in with
 * `kernel.register(Ports.Transport, new MemoryTransport(handler))`.
 */
export class MemoryTransport implements Transport {
  readonly name = 'memory';
  readonly requests: TransportRequest[] = [];

  constructor(private readonly handler: MemoryHandler) {}

  async send(request: TransportRequest): Promise<TransportResponse> {
    if (request.signal?.aborted) throw new APIUserAbortError();
    this.requests.push(request);
    const answer = await this.handler(request);
    let cancelled = false;
    const body = toChunks(answer.body);
    return {
      status: answer.status,
      headers: Object.fromEntries(Object.entries(answer.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
      body: {
        async *[Symbol.asyncIterator]() {
          for await (const chunk of body) {
            if (cancelled) return;
            if (request.signal?.aborted) throw new APIUserAbortError();
            yield chunk;
          }
        },
      },
      cancel: () => {
        cancelled = true;
      },
    };
  }
}

async function* toChunks(body: MemoryResponse['body']): AsyncIterable<Uint8Array> {
  if (body === undefined) return;
  if (typeof body === 'string') yield Buffer.from(body);
  else if (body instanceof Uint8Array) yield body;
  else if (Symbol.asyncIterator in body) yield* body as AsyncIterable<Uint8Array>;
  else yield Buffer.from(JSON.stringify(body));
}
