import type { TransportRequest } from '../../ports/transport.js';
import type { CallContext, UploadProgress } from '../plugin-contract.js';
import { knownBodySize } from './body-size.js';

/**
 * A streamed body is reported at most once per this many bytes (and at 0 and at its end): at 1 GB/s
 * that is about 4,000 calls a second, not one per 16 KiB chunk, and a 300 MiB file moves a bar 1,200
 * times. A constant, not an option: a bar needs no finer grain, and a caller wanting coarser drops
 * reports itself.
 */
export const UPLOAD_PROGRESS_STEP_BYTES = 256 * 1024;

/** The call's count of sends and whether its callback broke, kept across attempts in the call's bag. */
const PROGRESS_STATE = Symbol('pristine.uploadProgress');

interface ProgressState {
  sends: number;
  broken: boolean;
}

/**
 * Count this send's body for the call's `onUploadProgress` (the transport stage calls this only when
 * one is set, so a call without it sends its body untouched). A string or bytes body is handed to the
 * transport whole: it is reported once, now. A stream (a multipart body, a raw `Readable`) is replaced
 * by a generator that reports the bytes as the transport pulls them; the stream is one-shot anyway, and
 * a retry or a renewed send builds it again, so the next send counts from 0 with the next `attempt`.
 */
export function countUploadProgress(
  context: CallContext,
  request: TransportRequest,
  onProgress: (progress: UploadProgress) => void,
): void {
  const body = request.body;
  if (body === undefined) return;
  let state = context.bag.get(PROGRESS_STATE) as ProgressState | undefined;
  if (!state) context.bag.set(PROGRESS_STATE, (state = { sends: 0, broken: false }));
  state.sends++;
  const total = knownBodySize(body, request.headers['content-length']);
  const reporter = new ProgressReporter(context, state, onProgress, total);
  // A string or bytes body has a known size: it goes to the transport whole.
  if (typeof body === 'string' || body instanceof Uint8Array) reporter.report(total ?? 0);
  else request.body = countedUploadBody(body, (loaded) => reporter.report(loaded));
}

/** One send's reports: nothing once the call is aborted or the callback has thrown. */
class ProgressReporter {
  readonly #attempt: number;

  constructor(
    private readonly context: CallContext,
    private readonly state: ProgressState,
    private readonly onProgress: (progress: UploadProgress) => void,
    readonly total: number | undefined,
  ) {
    this.#attempt = state.sends;
  }

  report(loaded: number): void {
    if (this.state.broken || this.context.options.signal?.aborted) return;
    try {
      const returned: unknown = this.onProgress({ loaded, total: this.total, attempt: this.#attempt });
      // An async callback's rejection would be an unhandled rejection: it is the same broken callback.
      if (returned instanceof Promise) returned.catch((error: unknown) => this.#broke(error));
    } catch (error) {
      this.#broke(error);
    }
  }

  /**
   * A progress display that fails is no reason to fail (or retry) an upload that is going well: the
   * call goes on without reports, and the failure is logged once so it is not silent.
   */
  #broke(error: unknown): void {
    if (this.state.broken) return;
    this.state.broken = true;
    const endpoint = this.context.endpoint.id;
    const reason = error instanceof Error ? error.message : String(error);
    this.context.services.logger.warn(
      `the onUploadProgress callback of ${endpoint} threw: ${reason}; the upload goes on without progress reports`,
      { endpoint, attempt: this.#attempt },
    );
  }
}

/**
 * A request body that reports how many of its bytes the transport has pulled: 0 when reading starts,
 * then at most once per `UPLOAD_PROGRESS_STEP_BYTES`, then once at its end (a step that lands on the
 * end is not repeated). Chunks pass through as they are (strings as their UTF-8). The kernel uses it for
 * `onUploadProgress`; an SDK sending through the Transport port itself (a `fetch` over it) may too.
 * Nothing is reported after the transport stops reading (an abort, a failed exchange).
 */
export async function* countedUploadBody(
  body: AsyncIterable<Uint8Array | string>,
  report: (loaded: number) => void,
): AsyncGenerator<Uint8Array> {
  let loaded = 0;
  let reported = 0;
  let nextReport = UPLOAD_PROGRESS_STEP_BYTES;
  report(0);
  for await (const piece of body) {
    // The kernel's streams hand out bytes (guardedSource); a string from an author's adapter is its UTF-8.
    const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
    loaded += chunk.byteLength;
    if (loaded >= nextReport) {
      report((reported = loaded));
      nextReport = loaded + UPLOAD_PROGRESS_STEP_BYTES;
    }
    yield chunk;
  }
  if (reported !== loaded) report(loaded);
}
