import { APIConnectionError, ProxyError } from '../../errors/api-errors.js';
import { PristineError } from '../../errors/pristine-error.js';
import type { Stage } from '../context.js';

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
    const resource = context.endpoint.spec.resource ?? 'default';
    const spec = context.plugin.spec;
    const settings = spec.breakers?.[resource] ?? spec.defaults?.breaker ?? context.services.settings.breaker;
    if (settings === false) return next();
    const key = `${context.options.baseUrl}#${resource}`;
    return context.services.breakers.execute(
      key,
      settings,
      next,
      countsAsServerFailure,
      context.options.signal,
    );
  },
};
