import {
  context,
  isSpanContextValid,
  ROOT_CONTEXT,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type SpanContext,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import type { AttributeValue, Telemetry, TelemetrySpan } from '../../ports/telemetry.js';
import { redactUrl, scrubText } from '../../kernel/redact.js';
import { KERNEL_VERSION } from '../../kernel/version.js';

export interface OtelTelemetryOptions {
  /** Where tracers come from. Default: the global provider (`trace.getTracer`). */
  tracerProvider?: TracerProvider;
  /** Instrumentation scope. Default `pristine-kernel` at the kernel's version. */
  name?: string;
  version?: string;
  /** Scrubs error messages put on spans, typically the kernel's SecretRegistry. Default `scrubText`. */
  secrets?: { scrub(text: string): string };
}

/** Span attributes as the adapter accepts them (undefined values are dropped). */
export type Attrs = Record<string, AttributeValue | undefined>;

const NOOP_SPAN: TelemetrySpan = Object.freeze({ setAttributes() {}, recordError() {}, end() {} });

/*
 * Telemetry must never fail a request. Every call into the OpenTelemetry API goes through one of
 * these helpers: a throwing tracer, processor or exporter costs the span, never the call.
 */
function tryRun(fn: () => void): void {
  try {
    fn();
  } catch {
    /* swallowed on purpose, see above */
  }
}

function tryGet<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

/** OTel attributes without `undefined`, with `url.full` always redacted. */
function toAttributes(attributes: Attrs): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    out[key] = key === 'url.full' && typeof value === 'string' ? redactUrl(value) : value;
  }
  return out;
}

/**
 * `error.type` per the HTTP semantic conventions: the status code for HTTP errors, else the error's
 * class name, else `_OTHER`. The kernel passes the error the caller gets (a call stopped by its deadline:
 * the timeout, not the abort it caused inside), so the span is grouped with what the caller was told.
 */
function errorType(error: unknown): string {
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === 'number') return String(status);
  if (error instanceof Error) return error.name || error.constructor.name || '_OTHER';
  return '_OTHER';
}

/** W3C `traceparent`: version 00, 32-hex trace id, 16-hex span id, 2-hex flags. */
export function formatTraceparent(spanContext: SpanContext): string {
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}

class OtelSpan implements TelemetrySpan {
  #ended = false;

  constructor(
    readonly span: Span,
    private readonly scrub: (text: string) => string,
  ) {}

  setAttributes(attributes: Attrs): void {
    tryRun(() => this.span.setAttributes(toAttributes(attributes)));
  }

  /**
   * The OTel conventions for a failure: an `exception` event, `error.type` and an ERROR status. The event
   * gets a scrubbed copy (name, message, stack), never the error: its stack repeats the message, and
   * `recordException` would copy both as they are.
   */
  recordError(error: unknown): void {
    tryRun(() => {
      const message = this.scrub(error instanceof Error ? error.message : String(error));
      const type = errorType(error);
      this.span.recordException({
        name: error instanceof Error ? error.name || error.constructor.name : type,
        message,
        stack:
          error instanceof Error && typeof error.stack === 'string' ? this.scrub(error.stack) : undefined,
      });
      this.span.setAttribute('error.type', type);
      this.span.setStatus({ code: SpanStatusCode.ERROR, message });
    });
  }

  end(): void {
    if (this.#ended) return; // OTel warns on double end; the pipeline may end on several paths.
    this.#ended = true;
    tryRun(() => this.span.end());
  }
}

/**
 * Telemetry over `@opentelemetry/api`: an INTERNAL span per call (the logical operation, retries
 * included), a CLIENT child span per attempt (the HTTP request of the OTel conventions), and
 * the W3C trace context on every attempt's headers. The traceparent is formatted from the attempt's
 * span context, so it is sent even when no global propagator is registered (the API's default is a
 * no-op); a registered global propagator still runs afterwards, adding baggage or other formats.
 */
export class OtelTelemetry implements Telemetry {
  #tracer: Tracer | undefined;
  readonly #scrub: (text: string) => string;

  constructor(private readonly options: OtelTelemetryOptions = {}) {
    const secrets = options.secrets;
    this.#scrub = secrets ? (text) => secrets.scrub(text) : scrubText;
  }

  startCall(name: string, attributes: Attrs, parent?: TelemetrySpan | null): TelemetrySpan {
    const under = parent === null ? ROOT_CONTEXT : this.#under(parent);
    return this.#start(name, attributes, under, SpanKind.INTERNAL);
  }

  startAttempt(parent: TelemetrySpan, name: string, attributes: Attrs): TelemetrySpan {
    return this.#start(name, attributes, this.#under(parent), SpanKind.CLIENT);
  }

  /** The active context, with `parent` as its span when this adapter made it. */
  #under(parent: TelemetrySpan | undefined): Context | undefined {
    const active = tryGet(() => context.active());
    return parent instanceof OtelSpan && active ? tryGet(() => trace.setSpan(active, parent.span)) : active;
  }

  inject(span: TelemetrySpan, headers: Record<string, string>): void {
    if (!(span instanceof OtelSpan)) return;
    tryRun(() => {
      const spanContext = span.span.spanContext();
      if (!isSpanContextValid(spanContext)) return;
      headers.traceparent = formatTraceparent(spanContext);
      const tracestate = spanContext.traceState?.serialize();
      if (tracestate) headers.tracestate = tracestate;
    });
    tryRun(() => propagation.inject(trace.setSpan(context.active(), span.span), headers));
  }

  #start(name: string, attributes: Attrs, parentContext: Context | undefined, kind: SpanKind): TelemetrySpan {
    const span = tryGet(() =>
      this.#getTracer().startSpan(name, { kind, attributes: toAttributes(attributes) }, parentContext),
    );
    return span ? new OtelSpan(span, this.#scrub) : NOOP_SPAN;
  }

  #getTracer(): Tracer {
    // Resolved lazily (and retried after a failure) so constructing the adapter never throws.
    const { tracerProvider, name = 'pristine-kernel', version = KERNEL_VERSION } = this.options;
    this.#tracer ??= tracerProvider
      ? tracerProvider.getTracer(name, version)
      : trace.getTracer(name, version);
    return this.#tracer;
  }
}
