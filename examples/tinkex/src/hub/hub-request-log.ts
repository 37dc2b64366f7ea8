import {
  redactHeaders,
  redactUrl,
  type Logger,
  type TransportRequest,
  type TransportResponse,
} from 'pristine-kernel';

/**
 * Send one Hub request, logging it at debug as the kernel's request log does for Tinker calls
 * (`request GET <url>` with headers and proxy, then `response 200 GET <url>` or `request failed …`), so
 * `TINKER_LOG=debug` shows Hub traffic too. Headers and URLs are masked here, not left to the logger:
 * the Hub's `Authorization: Bearer hf_…` must not reach a logger that does not redact.
 */
export async function sendLogged(
  send: (request: TransportRequest) => Promise<TransportResponse>,
  request: TransportRequest,
  logger: Logger,
  /** A monotonic reading (`Clock.monotonic`): the line's `duration_ms` only. */
  now: () => number,
): Promise<TransportResponse> {
  if (logger.level !== 'debug') return send(request);
  const line = `${request.method} ${redactUrl(request.url)}`;
  logger.debug(`request ${line}`, {
    endpoint: 'huggingface_hub',
    headers: redactHeaders(request.headers),
    ...(request.proxy ? { proxy: redactUrl(request.proxy) } : {}),
  });
  const started = now();
  try {
    const response = await send(request);
    logger.debug(`response ${response.status} ${line}`, {
      endpoint: 'huggingface_hub',
      status: response.status,
      duration_ms: Math.round(now() - started),
      request_id: response.headers['x-request-id'],
    });
    return response;
  } catch (error) {
    const e = error as { name?: string; message?: string };
    logger.debug(`request failed ${line}`, {
      endpoint: 'huggingface_hub',
      duration_ms: Math.round(now() - started),
      error: [e?.name, e?.message].filter(Boolean).join(': '),
    });
    throw error;
  }
}
