import type { Transport, TransportRequest, TransportResponse } from '../../ports/transport.js';
import { APITimeoutError } from '../../kernel/errors/api-errors.js';
import { onAbort } from '../../kernel/signals/on-abort.js';
import { abortErrorFor } from '../../kernel/signals/abort-error-for.js';

export interface MemoryResponse {
  status: number;
  headers?: Record<string, string>;
  /** A string, bytes, a JSON value, or chunks to stream. */
  body?: string | Uint8Array | AsyncIterable<Uint8Array> | object | null;
}

/** What a handler may answer: the plain shape above, or a WHATWG `Response` (as a fetch mock would). */
export type MemoryAnswer = MemoryResponse | Response;

/** Sync or async; an `async` arrow function is the usual form. */
export type MemoryHandler = (request: TransportRequest) => MemoryAnswer | PromiseLike<MemoryAnswer>;

/**
 * An in-memory transport for tests: answers from a handler and records every request. Swap it in with
 * `kernel.register(Ports.Transport, new MemoryTransport(handler))`. An abort, or the attempt's
 * `timeoutMs`, wins over a handler that is still pending, as either would over a slow server.
 */
export class MemoryTransport implements Transport {
  readonly name = 'memory';
  readonly requests: TransportRequest[] = [];

  constructor(private readonly handler: MemoryHandler) {}

  async send(request: TransportRequest): Promise<TransportResponse> {
    const { signal } = request;
    if (signal?.aborted) throw abortErrorFor(signal);
    this.requests.push(request);
    const answer = await settleFirst(Promise.resolve(this.handler(request)), request);
    const { status, headers, body } = answer instanceof Response ? fromFetch(answer) : answer;
    let cancelled = false;
    const chunks = toChunks(body);
    return {
      status,
      headers: Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
      body: {
        async *[Symbol.asyncIterator]() {
          for await (const chunk of chunks) {
            if (cancelled) return;
            if (signal?.aborted) throw abortErrorFor(signal);
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

/** The handler's answer, unless the signal aborts or the attempt's deadline passes first. */
function settleFirst<T>(pending: Promise<T>, request: TransportRequest): Promise<T> {
  const { signal, timeoutMs } = request;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => done(() => reject(new APITimeoutError(`Request timed out after ${timeoutMs} ms`))),
      timeoutMs,
    );
    const unsubscribe = signal && onAbort(signal, () => done(() => reject(abortErrorFor(signal))));
    const done = (settle: () => void) => {
      clearTimeout(timer);
      unsubscribe?.();
      settle();
    };
    pending.then(
      (value) => done(() => resolve(value)),
      (error: unknown) => done(() => reject(error as Error)),
    );
  });
}

function fromFetch(response: Response): MemoryResponse {
  const body = response.body;
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body: body ? (body as unknown as AsyncIterable<Uint8Array>) : undefined,
  };
}

async function* toChunks(body: MemoryResponse['body']): AsyncIterable<Uint8Array> {
  if (body === undefined) return;
  if (typeof body === 'string') yield Buffer.from(body);
  else if (body instanceof Uint8Array) yield body;
  else if (body !== null && Symbol.asyncIterator in body) yield* body as AsyncIterable<Uint8Array>;
  else yield Buffer.from(JSON.stringify(body));
}
