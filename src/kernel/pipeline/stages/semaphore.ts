import type { Release } from '../../../ports/semaphore.js';
import type { CallContext, CallResult, Next, Stage } from '../context.js';
import { rateLimitBucket } from './rate-limit.js';

/**
 * Limit concurrency per endpoint resource: a counting semaphore (`maxConcurrent`) and a weighted one
 * (`maxWeight`, charged by the endpoint's weight function, computed from the call's input since the
 * request is built only after the permits are held). Permits are held until the response headers
 * arrive; stream bodies are not counted. A call that held permits re-checks the rate-limit window
 * before it goes on: a 429 seen (by this process or, with shared state, the fleet) while it queued holds
 * it back until the window reopens.
 */
export const semaphoreStage: Stage = {
  name: 'semaphore',
  run(context, next) {
    const resource = context.endpoint.spec.resource;
    const limits = resource ? context.plugin.spec.concurrency?.[resource] : undefined;
    return limits ? limited(context, next, resource!, limits) : next();
  },
};

async function limited(
  context: CallContext,
  next: Next,
  resource: string,
  limits: { maxConcurrent?: number; maxWeight?: number },
): Promise<CallResult> {
  const { services, options } = context;
  const releases: Release[] = [];
  try {
    if (limits.maxConcurrent) {
      const sem = services.semaphore(`${context.plugin.spec.name}:${resource}:count`, limits.maxConcurrent);
      releases.push(await sem.acquire(1, options.signal));
    }
    const weightFn = context.endpoint.spec.weight
      ? context.plugin.spec.weights?.[context.endpoint.spec.weight]
      : undefined;
    if (limits.maxWeight && weightFn) {
      const sem = services.semaphore(`${context.plugin.spec.name}:${resource}:weight`, limits.maxWeight);
      releases.push(await sem.acquire(weightFn(context), options.signal));
    }
    if (releases.length > 0) {
      await services.rateLimiter.acquire(rateLimitBucket(context), { signal: options.signal });
    }
    return await next();
  } finally {
    for (const release of releases) release();
  }
}
