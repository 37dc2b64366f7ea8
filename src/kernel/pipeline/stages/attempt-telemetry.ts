import { redactUrl } from '../../redact.js';
import type { CallContext, CallResult, Next, Stage } from '../context.js';

/** A child span per attempt, and the W3C trace context on the wire. */
export const attemptTelemetryStage: Stage = {
  name: 'attempt',
  run(context, next) {
    return recorded(context) ? traced(context, next) : next();
  },
  passes: (context) => !recorded(context),
};

function recorded(context: CallContext): boolean {
  return context.services.telemetry.recording !== false && !!context.callSpan && !!context.request;
}

async function traced(context: CallContext, next: Next): Promise<CallResult> {
  const { telemetry } = context.services;
  const request = context.request!;
  const url = new URL(request.url);
  const span = telemetry.startAttempt(context.callSpan!, `${context.endpoint.id} attempt`, {
    'http.request.method': request.method,
    'url.full': redactUrl(request.url),
    'server.address': url.hostname,
    'server.port': url.port ? Number(url.port) : undefined,
    'http.request.resend_count': context.attempt,
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
    span.recordError(error);
    throw error;
  } finally {
    span.end();
  }
}
