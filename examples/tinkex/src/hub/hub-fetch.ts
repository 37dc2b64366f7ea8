import { APIConnectionError, APITimeoutError, APIUserAbortError } from 'pristine';

/** Headers of a redirect that describe the file, not the CDN's copy of it (huggingface_hub reads them there). */
const FILE_HEADERS = ['x-linked-etag', 'x-linked-size', 'x-repo-commit', 'x-error-code'];
const MAX_REDIRECTS = 10;
/** Statuses whose Response may not have a body. */
const NULL_BODY = new Set([101, 204, 205, 304]);

/**
 * The `fetch` handed to `@huggingface/hub`, which takes one. It adds what the library leaves to the caller:
 * - **the token only goes to the Hub**: an `Authorization` header is removed from any request to another
 *   origin, and redirects are followed here (GET/HEAD, at most 10) so that a hop to a CDN never carries it;
 * - **nothing hangs**: each request must get its answer within `timeoutMs`, and its body may not stall
 *   for longer than `timeoutMs` between two chunks (`APITimeoutError`); `signal` aborts (`APIUserAbortError`);
 *   a network failure is an `APIConnectionError`.
 * The file headers of a redirect (`X-Linked-Etag`, `X-Linked-Size`, `X-Repo-Commit`) are kept on the
 * final response, as huggingface_hub reads them from the redirect rather than from the CDN.
 */
export function hubFetch(hubUrl: string, timeoutMs: number, signal?: AbortSignal): typeof fetch {
  const hubOrigin = new URL(hubUrl).origin;
  return async (input, init = {}) => {
    let url = new URL(input instanceof Request ? input.url : String(input));
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = new Headers(init.headers);
    const carried = new Headers();
    for (let hop = 0; ; hop++) {
      if (url.origin !== hubOrigin) headers.delete('authorization');
      const response = await guarded(
        url,
        { ...init, method, headers, redirect: 'manual' },
        timeoutMs,
        signal,
      );
      const location = response.headers.get('location');
      const followable =
        (method === 'GET' || method === 'HEAD') &&
        location &&
        response.status >= 300 &&
        response.status < 400;
      if (!followable || hop === MAX_REDIRECTS) return withHeaders(response, carried);
      for (const name of FILE_HEADERS) {
        const value = response.headers.get(name);
        if (value !== null && !carried.has(name)) carried.set(name, value);
      }
      await response.body?.cancel();
      url = new URL(location, url);
    }
  };
}

/** One request with the answer deadline and the body idle bound. */
async function guarded(
  url: URL,
  init: RequestInit,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Response> {
  const controller = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    timer.unref();
  };
  const onAbort = () => controller.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const fail = (error: unknown): never => {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    if (timedOut)
      throw new APITimeoutError(
        `The Hugging Face Hub did not answer ${url.origin}${url.pathname} within ${timeoutMs} ms`,
      );
    if (signal?.aborted) throw new APIUserAbortError(undefined, { cause: signal.reason });
    if (error instanceof Error && error.name === 'AbortError') throw error;
    throw new APIConnectionError(
      `Could not reach the Hugging Face Hub at ${url.origin}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  };
  if (signal?.aborted) fail(signal.reason);
  arm();
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: controller.signal });
  } catch (error) {
    return fail(error);
  }
  if (!response.body) {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    return response;
  }
  arm();
  const watched = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, out) {
        arm();
        out.enqueue(chunk);
      },
      flush() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      },
    }),
  );
  const reader = watched.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(out) {
      try {
        const { done, value } = await reader.read();
        if (done) out.close();
        else out.enqueue(value);
      } catch (error) {
        try {
          fail(error);
        } catch (mapped) {
          out.error(mapped);
        }
      }
    },
    cancel(reason) {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      return reader.cancel(reason);
    },
  });
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

function withHeaders(response: Response, carried: Headers): Response {
  if ([...carried.keys()].length === 0) return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of carried) if (!headers.has(name)) headers.set(name, value);
  const body = NULL_BODY.has(response.status) ? null : response.body;
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}
