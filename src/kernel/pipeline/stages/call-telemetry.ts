import type { TelemetrySpan } from '../../../ports/telemetry.js';
import { sanitizedCause, scrubError } from '../../errors/error-secrets.js';
import { PluginError } from '../../errors/plugin-errors.js';
import type { CallContext, CallResult, Stage } from '../context.js';
import { enteringStage } from '../stage-hooks.js';
import type { CompiledEndpoint } from '../../manifest/compile.js';
import { redactUrl } from '../../redact.js';
import { deadlineErrorOf } from '../../signals/deadline-error.js';

/**
 * Each endpoint's redacted URL for the base URL it was last called with: the same string for every
 * call, instead of a concatenation and a redaction per call (a telemetry listener keeps one per event).
 */
const redactedUrls = new WeakMap<CompiledEndpoint, { baseUrl: string; url: string }>();

function redactedUrlOf(endpoint: CompiledEndpoint, baseUrl: string): string {
  const known = redactedUrls.get(endpoint);
  if (known?.baseUrl === baseUrl) return known.url;
  const url = redactUrl(baseUrl + endpoint.spec.path);
  redactedUrls.set(endpoint, { baseUrl, url });
  return url;
}

/**
 * One span and one start/stop (or error) event pair per call, around every attempt. Its work after the
 * attempts is synchronous: hooks, attached with those of the stages inside it in one `then`.
 */
export const callTelemetryStage: Stage = enteringStage({
  name: 'telemetry',
  passes: (context) => !observed(context),
  enter(context) {
    if (!observed(context)) return false;
    started(context);
    return true;
  },
  hooks: { fulfilled: stopped, rejected: failed },
});

/** With the no-op tracer and nobody listening, this stage would only allocate. */
function observed(context: CallContext): boolean {
  const { telemetry, events } = context.services;
  return (
    telemetry.recording !== false ||
    events.observed('request:start') ||
    events.observed('request:stop') ||
    events.observed('request:error')
  );
}

function started(context: CallContext): void {
  const { services, endpoint } = context;
  context.callSpan = services.telemetry.startCall(
    endpoint.id,
    {
      'http.request.method': endpoint.method,
      'url.template': endpoint.spec.path,
      'pristine.endpoint': endpoint.id,
    },
    context.options.parentSpan,
  );
  // Redacting the URL is the costly part of this event; skip it when nobody listens.
  if (services.events.observed('request:start')) {
    services.events.emit('request:start', {
      endpointId: endpoint.id,
      method: endpoint.method,
      url: redactedUrlOf(endpoint, context.options.baseUrl),
      attempt: 0,
    });
  }
}

/** A throw here fails the call, with the error recorded and reported as any failure (as `try` would). */
function stopped(context: CallContext, result: CallResult): CallResult {
  const { services } = context;
  const span = spanOf(context);
  try {
    span.setAttributes({
      'http.response.status_code': result.status,
      'http.request.resend_count': context.attempt,
    });
    services.events.emit('request:stop', {
      endpointId: context.endpoint.id,
      status: result.status,
      durationMs: services.clock.monotonic() - context.startedAt,
      attempts: context.attempt + 1,
    });
  } catch (error) {
    throw failed(context, error);
  }
  span.end();
  return result;
}

/** The span ends whatever recording the failure throws. */
function failed(context: CallContext, error: unknown): unknown {
  const { services } = context;
  const span = spanOf(context, error);
  try {
    // The error the caller gets: a whole-call deadline's timeout, not the abort it caused inside (the
    // client's error, not yet scrubbed as the pipeline's errors are).
    const surfaced = deadlineErrorOf(error, context.options.signal);
    span.recordError(
      surfaced !== error && surfaced instanceof Error ? scrubError(surfaced, services.secrets) : surfaced,
    );
    span.setAttributes({ 'http.request.resend_count': context.attempt });
    if (services.events.observed('request:error')) {
      const status = (error as { status?: unknown } | null)?.status;
      services.events.emit('request:error', {
        endpointId: context.endpoint.id,
        error,
        durationMs: services.clock.monotonic() - context.startedAt,
        ...(typeof status === 'number' ? { status } : {}),
      });
    }
  } finally {
    span.end();
  }
  return error;
}

/**
 * The span `started` set: `enter` sets it whenever these hooks run. Only a plugin stage that cleared
 * `context.callSpan` takes it away, and is told so (with the call's error as the cause), not a TypeError.
 */
function spanOf(context: CallContext, failure?: unknown): TelemetrySpan {
  const span = context.callSpan;
  if (span !== undefined) return span;
  const details = failure === undefined ? {} : { cause: sanitizedCause(failure) };
  throw new PluginError(`A stage cleared the call span of "${context.endpoint.id}" (context.callSpan)`, {
    ...details,
    endpointId: context.endpoint.id,
  });
}
