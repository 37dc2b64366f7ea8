import type { AttemptOutcome } from '../../../ports/retry.js';
import { APIUserAbortError, CircuitOpenError } from '../../errors/api-errors.js';
import { scrubError } from '../../errors/error-secrets.js';
import { PristineError } from '../../errors/pristine-error.js';
import type { CallContext, CallResult, Next, Stage } from '../context.js';
import { noteFailedAttempt } from '../may-have-applied.js';
import { enteringStage } from '../stage-hooks.js';
import { openBreakerKey } from './breaker.js';
import { abortErrorFor } from '../../signals/abort-error-for.js';

/**
 * Run the attempt stages until success or the retry budget is spent. Each attempt rebuilds the
 * request (fresh retry-count header, same idempotency key).
 */
export const retryStage: Stage = enteringStage({
  name: 'retry',
  enter(context, next) {
    // A call sent without retries (each poll of a future) is one attempt: no retry context, closures
    // and promises held while it is in flight, when the adapter says that is all `run` would do. Its
    // failure is typed by the hook, in the `then` the pipeline attaches for the stages around it.
    if (context.options.maxRetries === 0 && context.services.retry.oneAttemptWithoutRetries === true) {
      context.attempt = 0;
      return true;
    }
    return attempts(context, next);
  },
  hooks: {
    rejected: (context, error) => outcomeOf(error, context).error,
  },
});

function attempts(context: CallContext, next: Next): Promise<CallResult> {
  const { services, endpoint } = context;
  // An endpoint without a named policy uses the plugin's `default` policy, when it declares one.
  const policy = context.plugin.spec.retryPolicies?.[endpoint.spec.retry ?? 'default'];
  return services.retry.run<CallResult>(
    (n) => {
      context.attempt = n;
      return next().then(succeeded, (error) => failedAttempt(error, context));
    },
    {
      maxRetries: context.options.maxRetries,
      replayable: () => context.replayable,
      signal: context.options.signal,
      interrupt: services.stopping(endpoint.id),
      delays: policy,
      onRetry: ({ attempt, delayMs, error: raw }) => {
        // Scrubbed before anyone sees it: a retry logger must not print an echoed credential.
        const error = scrubError(raw, services.secrets);
        const what = endpoint.spec.callName ?? endpoint.id;
        const line = retryMessage(what, { attempt, delayMs, error }, context.options.maxRetries);
        const fields = { endpoint: endpoint.id, attempt, delay_ms: Math.round(delayMs) };
        // At info (unless the policy says debug), so a user waiting on a dead server sees why within the
        // first backoff; an outage's many retries summed up there (RetryLog), each one at debug.
        if (policy?.logLevel === 'debug') services.logger.debug(line, fields);
        else services.retryLog.retried(what, retryReason(error), attempt, line, fields);
        services.events.emit('request:retry', { endpointId: endpoint.id, attempt, delayMs, error });
      },
    },
  );
}

type Failed = Exclude<AttemptOutcome<CallResult>, { kind: 'success' }>;

function succeeded(value: CallResult): AttemptOutcome<CallResult> {
  return { kind: 'success', value };
}

/** The attempt's outcome; its error is marked when an earlier attempt may have been applied. */
function failedAttempt(error: unknown, context: CallContext): Failed {
  const outcome = outcomeOf(error, context);
  noteFailedAttempt(context, error, outcome.error);
  return outcome;
}

function outcomeOf(error: unknown, context: CallContext): Failed {
  const signal = context.options.signal;
  if (signal?.aborted && !(error instanceof APIUserAbortError)) {
    // The signal's reason says why (a deadline, a shutdown); what the transport threw is only its echo.
    return { kind: 'fatal', error: abortErrorFor(signal) };
  }
  if (error instanceof PristineError && error.retryable) {
    // This failure may have opened the breaker: a next attempt would only meet it after a backoff.
    const retriesLeft = context.attempt < (context.options.maxRetries ?? 0) && context.replayable;
    const open = retriesLeft ? openBreakerKey(context) : undefined;
    if (open) return { kind: 'fatal', error: new CircuitOpenError(open, { cause: error }) };
    return { kind: 'retryable', error, retryAfterMs: error.retryAfterMs };
  }
  return { kind: 'fatal', error: error as Error };
}

/**
 * The line a retry logs, for the kernel's retries and for a plugin's own retry loops alike:
 * `retrying asample in 0.5 s after HTTP 503 (retry 1 of 10)` (no "of" for an unlimited budget).
 */
export function retryMessage(
  what: string,
  info: { attempt: number; delayMs: number; error: unknown },
  maxRetries: number | undefined,
): string {
  const budget = maxRetries !== undefined && Number.isFinite(maxRetries) ? ` of ${maxRetries}` : '';
  return `retrying ${what} in ${seconds(info.delayMs)} after ${retryReason(info.error)} (retry ${info.attempt}${budget})`;
}

function seconds(ms: number): string {
  return `${ms < 10_000 ? (ms / 1000).toFixed(1) : Math.round(ms / 1000)} s`;
}

/**
 * The status, or the (already redacted) error message: what went wrong, in one phrase; the cause a
 * `RetryLog` window is kept by (a plugin's own retry loop passes it to `retryLog.retried` too).
 */
export function retryReason(error: unknown): string {
  const e = error as { status?: number; message?: string };
  if (typeof e?.status === 'number') return `HTTP ${e.status}`;
  return e?.message ?? String(error);
}
