import { APIConnectionError, ProxyError } from '../../errors/api-errors.js';
import { PristineError } from '../../errors/pristine-error.js';
import { redactUrl } from '../../redact.js';
import type { BreakerSettings } from '../../../ports/circuit-breaker.js';
import type { CallContext, Stage } from '../context.js';

/**
 * Server-side failures trip breakers; client errors (4xx) never do, nor does a proxy's 407 (wrong
 * proxy credentials): an open circuit would hide that answer behind a fail-fast error.
 */
export function countsAsServerFailure(error: unknown): boolean {
  if (error instanceof ProxyError) return error.retryable;
  if (error instanceof APIConnectionError) return true; // includes timeouts
  return error instanceof PristineError && error.status !== undefined && error.status >= 500;
}

/** Fail fast while the (base URL, resource) breaker is open. */
export const breakerStage: Stage = {
  name: 'breaker',
  run(context, next) {
    const breaker = breakerOf(context);
    if (!breaker) return next();
    return context.services.breakers.execute(
      breaker.key,
      breaker.settings,
      next,
      countsAsServerFailure,
      context.options.signal,
    );
  },
  // Without building the key: breakers are opt-in for some plugins, and this is asked on every attempt.
  passes: (context) => settingsOf(context, resourceOf(context)) === false,
};

/**
 * The key of the call's breaker when it is open now (the retry stage then fails at once rather than
 * back off into a certain CircuitOpenError), else undefined.
 */
export function openBreakerKey(context: CallContext): string | undefined {
  const breaker = breakerOf(context);
  return breaker && context.services.breakers.state(breaker.key) === 'open' ? breaker.key : undefined;
}

function breakerOf(context: CallContext): { key: string; settings: BreakerSettings } | undefined {
  const resource = resourceOf(context);
  const settings = settingsOf(context, resource);
  if (settings === false) return undefined;
  return { key: `${withoutCredentials(context.options.baseUrl)}#${resource}`, settings };
}

/**
 * A breaker's key goes to Redis (the fleet's breakers), to logs and to `breaker:state` listeners: a base
 * URL's credentials (`https://user:pass@host`) must reach none of them. Checked for an `@` first: the key
 * is built on every attempt, and almost no base URL carries any.
 */
function withoutCredentials(baseUrl: string): string {
  return baseUrl.includes('@') ? redactUrl(baseUrl) : baseUrl;
}

function resourceOf(context: CallContext): string {
  return context.endpoint.spec.resource ?? 'default';
}

function settingsOf(context: CallContext, resource: string): BreakerSettings | false {
  const spec = context.plugin.spec;
  return spec.breakers?.[resource] ?? spec.defaults?.breaker ?? context.services.settings.breaker;
}
