import { scrubError } from '../../errors/error-secrets.js';
import { redactUrl } from '../../redact.js';
import { deadlineErrorOf } from '../../signals/deadline-error.js';
import type { TelemetrySpan } from '../../../ports/telemetry.js';
import type { TransportRequest } from '../../../ports/transport.js';
import type { CallContext, CallResult, Next, Stage } from '../context.js';

/**
 * A child span per attempt, and the W3C trace context on the wire. The attempt is the HTTP client span
 * of the OpenTelemetry HTTP conventions: named `{method} {url.template}`, with
 * `http.request.resend_count` only on a resend. The call's span around it is the logical operation.
 */
export const attemptTelemetryStage: Stage = {
  name: 'attempt',
  run(context, next) {
    const { callSpan, request } = context;
    return recorded(context) && callSpan && request ? traced(context, callSpan, request, next) : next();
  },
  passes: (context) => !recorded(context) || !context.callSpan || !context.request,
};

function recorded(context: CallContext): boolean {
  return context.services.telemetry.recording !== false;
}

async function traced(
  context: CallContext,
  callSpan: TelemetrySpan,
  request: TransportRequest,
  next: Next,
): Promise<CallResult> {
  const { telemetry } = context.services;
  const url = new URL(request.url);
  const template = context.endpoint.spec.path;
  const span = telemetry.startAttempt(callSpan, `${request.method} ${template}`, {
    'http.request.method': request.method,
    'url.template': template,
    'url.full': redactUrl(request.url),
    'server.address': url.hostname,
    'server.port': url.port ? Number(url.port) : undefined,
    'http.request.resend_count': context.attempt || undefined,
  });
  context.attemptSpan = span;
  telemetry.inject(span, request.headers);
  try {
    const result = await next();
    span.setAttributes({ 'http.response.status_code': result.status });
    return result;
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status !== undefined) span.setAttributes({ 'http.response.status_code': status });
    // Scrubbed before the span sees it (in place, as it leaves the kernel anyway): a server may echo a
    // registered credential, and an adapter built without the kernel's secrets knows only their shapes.
    // As the call span: the error the caller gets (a whole-call deadline's timeout, not its abort).
    const surfaced = deadlineErrorOf(error, context.options.signal);
    span.recordError(surfaced instanceof Error ? scrubError(surfaced, context.services.secrets) : surfaced);
    throw error;
  } finally {
    span.end();
  }
}
