import { APITimeoutError, ClientClosedError } from '../../errors/api-errors.js';
import { PristineError } from '../../errors/pristine-error.js';
import type { TransportRequest, TransportResponse } from '../../../ports/transport.js';
import type { CallContext, CallResult, Stage } from '../context.js';
import { onAbort } from '../../signals/on-abort.js';
import { abortErrorFor } from '../../signals/abort-error-for.js';
import { countUploadProgress } from '../../request/upload-progress.js';

/**
 * How long past an attempt's deadline the kernel waits for the adapter to report its own timeout. The
 * built-in adapters settle at the deadline; this bounds any adapter that breaks the port's contract.
 */
export const TRANSPORT_GRACE_MS = 1000;

/**
 * The terminal stage: one HTTP exchange through the Transport port. Whatever the adapter does, nothing
 * is sent once the kernel is closed (a call admitted before `close()` may reach here after it), and the
 * exchange settles when the caller aborts, when the kernel closes (ClientClosedError), and at the
 * latest `TRANSPORT_GRACE_MS` after its deadline: the built-in adapters cut their sockets at close, an
 * author's adapter (or the MemoryTransport) need not. Like the adapters' deadlines this runs on
 * wall-clock timers, not the Clock port: a test clock that skips retry sleeps must not cut real
 * network exchanges short.
 */
export const transportStage: Stage = {
  name: 'transport',
  run(context) {
    const request = context.request;
    if (!request) throw new PristineError('No request was built before the transport stage');
    const { transport, refuses } = context.services;
    const endpoint = context.endpoint;
    if (refuses(endpoint.id)) return Promise.reject(ClientClosedError.forCall(endpoint));
    const onUploadProgress = context.options.onUploadProgress;
    if (onUploadProgress) countUploadProgress(context, request, onUploadProgress);
    // An adapter that keeps its own deadline (and cuts its exchanges at close) needs no second timer.
    const answered = (response: TransportResponse) => asResult(context, response);
    if (transport.settlesAtDeadline === true) return transport.send(request).then(answered);
    const closing = context.services.stopping(endpoint.id);
    return bounded(transport.send(request), request, transport.name, closing, () =>
      ClientClosedError.forCall(endpoint),
    ).then(answered);
  },
};

function bounded(
  sending: Promise<TransportResponse>,
  request: TransportRequest,
  transportName: string,
  closing: AbortSignal,
  closed: () => ClientClosedError,
): Promise<TransportResponse> {
  const { signal, timeoutMs } = request;
  return new Promise((resolve, reject) => {
    let settled = false;
    let unsubscribe: (() => void) | undefined;
    let unsubscribeClosing: (() => void) | undefined;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      unsubscribe?.();
      unsubscribeClosing?.();
      return true;
    };
    const aborted = () => {
      if (settle()) reject(abortErrorFor(signal));
    };
    const closedNow = () => {
      if (settle()) reject(closed());
    };
    const timer = setTimeout(() => {
      const message = `Request timed out after ${timeoutMs} ms: transport '${transportName}' did not settle`;
      if (settle()) reject(new APITimeoutError(message));
    }, timeoutMs + TRANSPORT_GRACE_MS);
    if (signal?.aborted) aborted();
    else if (signal) unsubscribe = onAbort(signal, aborted);
    if (closing.aborted) closedNow();
    else unsubscribeClosing = onAbort(closing, closedNow);
    sending.then(
      (response) => {
        if (settle()) resolve(response);
        else response.cancel(); // too late: nobody will read it, so release its socket
      },
      (error: unknown) => {
        if (settle()) reject(error);
      },
    );
  });
}

function asResult(context: CallContext, response: TransportResponse): CallResult {
  context.transportResponse = response;
  return { status: response.status, headers: response.headers, body: undefined, response };
}
