import type { Release } from '../../../ports/semaphore.js';
import type { ConcurrencySpec } from '../../plugin.js';
import type { CallContext, CallResult, Next, Stage } from '../context.js';
import { rateLimitBucket } from './rate-limit.js';

/**
 * Limit concurrency per endpoint resource: a counting semaphore (`maxConcurrent`) and a weighted one
 * (`maxWeight`, charged by the endpoint's weight function, computed from the call's input since the
 * request is built only after the permits are held). Permits are held until the response headers
 * arrive; stream bodies are not counted. While the resource is throttled (its bucket backed off now or
 * within `throttled.windowMs`), a call also takes a permit of the throttled semaphore and is charged
 * `weightFactor` times its weight. A call that held permits re-checks the rate-limit window before it
 * goes on: a 429 seen (by this process or, with shared state, the fleet) while it queued holds it back
 * until the window reopens.
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
  limits: ConcurrencySpec,
): Promise<CallResult> {
  const { services, options } = context;
  const name = `${context.plugin.spec.name}:${resource}`;
  const releases: Release[] = [];
  try {
    if (limits.maxConcurrent) {
      const sem = services.semaphore(`${name}:count`, limits.maxConcurrent);
      releases.push(await sem.acquire(1, options.signal));
    }
    const throttled = limits.throttled && isThrottled(context, limits.throttled);
    if (throttled && limits.throttled!.maxConcurrent) {
      const sem = services.semaphore(`${name}:throttled`, limits.throttled!.maxConcurrent);
      releases.push(await sem.acquire(1, options.signal));
    }
    const weightFn = context.endpoint.spec.weight
      ? context.plugin.spec.weights?.[context.endpoint.spec.weight]
      : undefined;
    if (limits.maxWeight && weightFn) {
      const factor = throttled ? (limits.throttled!.weightFactor ?? 1) : 1;
      const sem = services.semaphore(`${name}:weight`, limits.maxWeight);
      releases.push(await sem.acquire(weightFn(context) * factor, options.signal));
    }
    if (releases.length > 0) {
      await services.rateLimiter.acquire(rateLimitBucket(context), { signal: options.signal });
    }
    return await next();
  } finally {
    for (const release of releases) release();
  }
}

/** The bucket is closed now, or reopened less than `windowMs` ago. */
function isThrottled(context: CallContext, spec: NonNullable<ConcurrencySpec['throttled']>): boolean {
  const bucket = spec.bucket?.(context) ?? rateLimitBucket(context);
  const reopensAt = context.services.rateLimiter.reopensAt(bucket);
  return reopensAt > 0 && context.services.clock.now() - reopensAt < spec.windowMs;
}
