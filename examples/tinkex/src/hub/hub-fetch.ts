import {
  APITimeoutError,
  countedUploadBody,
  type Clock,
  type HttpMethod,
  type Logger,
  type RequestBody,
  type Transport,
  type TransportResponse,
} from 'pristine-kernel';
import { sendLogged } from './hub-request-log.js';

/** Headers of a redirect that describe the file, not the CDN's copy of it (huggingface_hub reads them there). */
const FILE_HEADERS = ['x-linked-etag', 'x-linked-size', 'x-repo-commit', 'x-error-code'];
const MAX_REDIRECTS = 10;
/** Statuses whose Response may not have a body. */
const NULL_BODY = new Set([101, 204, 205, 304]);

export interface HubFetchDeps {
  transport: Transport;
  clock: Clock;
  /** The proxy for a URL, by the Tinker client's rules (HTTPS_PROXY / HTTP_PROXY, NO_PROXY), or none. */
  proxyFor: (url: string) => string | undefined;
  /** Where each request and its outcome are logged, at debug. */
  logger: Logger;
  /**
   * Told of every error answer (status 400 and up) with the Hub's `X-Error-Code` and `X-Error-Message`
   * headers: `@huggingface/hub`'s error keeps the JSON body only, and a file download's error body is
   * plain text, so the header is where the Hub's reason is (huggingface_hub reads it there too).
   */
  onErrorAnswer?: (answer: HubErrorAnswer) => void;
}

/** What the Hub said with an error answer, from its headers. */
export interface HubErrorAnswer {
  status: number;
  code: string | undefined;
  message: string | undefined;
}

/**
 * The `fetch` handed to `@huggingface/hub` (which takes one), over Pristine's Transport and Clock ports,
 * so Hub traffic has the kernel's typed errors and nothing of its own. It adds what the library leaves
 * to the caller:
 * - **the token only goes to the Hub**: `Authorization` is removed from any request to another origin,
 *   and redirects are followed here (GET/HEAD, at most 10) so that a hop to a CDN never carries it;
 * - **nothing hangs**: each request must get its answer within `timeoutMs` (`APITimeoutError`), and a
 *   body may not stall longer than `timeoutMs` between two chunks; `signal` aborts (`APIUserAbortError`);
 *   a network failure is an `APIConnectionError`.
 * - **the same network path as Tinker calls**: each hop goes through `deps.proxyFor`'s proxy, and is
 *   logged at debug with secret headers masked.
 * The file headers of a redirect (`X-Linked-Etag`, `X-Linked-Size`, `X-Repo-Commit`) are kept on the
 * final response, as huggingface_hub reads them from the redirect rather than from the CDN.
 */
export function hubFetch(
  hubUrl: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  deps: HubFetchDeps,
): typeof fetch {
  const hubOrigin = new URL(hubUrl).origin;
  return async (input, init = {}) => {
    let url = new URL(input instanceof Request ? input.url : String(input));
    const method = (init.method ?? 'GET').toUpperCase() as HttpMethod;
    const headers: Record<string, string> = { 'accept-encoding': 'identity' };
    new Headers(init.headers).forEach((value, name) => (headers[name] = value));
    const body = await requestBody(init.body, headers, progressHintOf(init)?.progressCallback);
    const carried: Record<string, string> = {};
    for (let hop = 0; ; hop++) {
      if (url.origin !== hubOrigin) delete headers.authorization;
      const proxy = deps.proxyFor(url.href);
      const request = {
        method,
        url: url.href,
        headers: { ...headers },
        ...(body !== undefined ? { body } : {}),
        timeoutMs,
        ...(signal ? { signal } : {}),
        redirect: 'manual' as const,
        streaming: true,
        ...(proxy ? { proxy } : {}),
      };
      const response = await sendLogged(
        (r) => deps.transport.send(r),
        request,
        deps.logger,
        () => deps.clock.monotonic(),
      );
      const location = response.headers.location;
      const follow =
        (method === 'GET' || method === 'HEAD') &&
        location &&
        response.status >= 300 &&
        response.status < 400;
      if (!follow || hop === MAX_REDIRECTS) {
        if (response.status >= 400)
          deps.onErrorAnswer?.({
            status: response.status,
            code: response.headers['x-error-code'],
            message: response.headers['x-error-message'],
          });
        return toResponse(response, method, carried, timeoutMs, deps.clock);
      }
      for (const name of FILE_HEADERS)
        if (response.headers[name] !== undefined) carried[name] ??= response.headers[name];
      response.cancel();
      url = new URL(location, url);
    }
  };
}

/**
 * What `@huggingface/hub` adds to a single-PUT LFS upload's `init` for a fetch that can report upload
 * progress (the web's cannot): the file's path and a callback taking 0–1, which it turns into the push's
 * `uploading` events (multipart uploads report per part without it).
 */
interface ProgressHint {
  path?: string;
  progressCallback?: (progress: number) => void;
}

function progressHintOf(init: RequestInit): ProgressHint | undefined {
  return (init as { progressHint?: ProgressHint }).progressHint;
}

/**
 * What the library sends (JSON strings, Blobs of files, bytes) as a transport body; a Blob keeps its
 * length, and with `onProgress` reports the share of it the transport has taken (in 256 KiB steps).
 */
async function requestBody(
  body: BodyInit | null | undefined,
  headers: Record<string, string>,
  onProgress?: (progress: number) => void,
): Promise<RequestBody | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof Blob) {
    // A presigned upload URL (S3) refuses chunked bodies: the length goes along.
    headers['content-length'] = String(body.size);
    const stream = body.stream() as unknown as AsyncIterable<Uint8Array>;
    if (!onProgress) return stream;
    const size = body.size;
    return countedUploadBody(stream, (loaded) => onProgress(size === 0 ? 1 : loaded / size));
  }
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  return new Uint8Array(await new Response(body).arrayBuffer());
}

/** A web Response over the transport's body, whose chunks may not be more than `timeoutMs` apart. */
function toResponse(
  response: TransportResponse,
  method: string,
  carried: Record<string, string>,
  timeoutMs: number,
  clock: Clock,
): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries({ ...carried, ...response.headers })) headers.set(name, value);
  if (method === 'HEAD' || NULL_BODY.has(response.status)) {
    response.cancel();
    return new Response(null, { status: response.status, headers });
  }
  const chunks = response.body[Symbol.asyncIterator]();
  let cancelTimer = () => {};
  let stalled: ((error: Error) => void) | undefined;
  const arm = () => {
    cancelTimer();
    cancelTimer = clock.after(timeoutMs, () => {
      response.cancel();
      stalled?.(new APITimeoutError(`The Hugging Face Hub's answer stalled for ${timeoutMs} ms`));
    });
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(out) {
      arm();
      try {
        const next = await Promise.race([
          chunks.next(),
          new Promise<never>((_, reject) => (stalled = reject)),
        ]);
        // Only the wait for the server counts, not the time the reader takes between two pulls.
        cancelTimer();
        if (next.done) out.close();
        else out.enqueue(next.value);
      } catch (error) {
        cancelTimer();
        out.error(error);
      }
    },
    cancel() {
      cancelTimer();
      response.cancel();
    },
  });
  return new Response(body, { status: response.status, headers });
}
