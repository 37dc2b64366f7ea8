import type { Release } from '../../../ports/semaphore.js';
import type { CallContext, CallResult, Next, Stage } from '../context.js';

/**
 * Limit concurrency per endpoint resource: a counting semaphore (`maxConcurrent`) and a weighted one
 * (`maxWeight`, charged by the endpoint's weight function, computed from the call's input since the
 * request is built only after the permits are held). Permits are held until the response headers
 * arrive; stream bodies are not counted.
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
    return await next();
  } finally {
    for (const release of releases) release();
  }
}
