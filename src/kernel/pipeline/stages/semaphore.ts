import { ADMITTED } from '../../../ports/rate-limiter.js';
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
    if (!limits) return next();
    const names = namesOf(context.plugin.spec.name, resource!);
    return admitNow(context, next, names, limits) ?? limited(context, next, names, limits);
  },
  passes: (context) => {
    const resource = context.endpoint.spec.resource;
    return !resource || !context.plugin.spec.concurrency?.[resource];
  },
};

/** The semaphores' names per plugin and resource, built once (not three template strings per call). */
interface SemaphoreNames {
  count: string;
  throttled: string;
  weight: string;
}
const NAMES = new Map<string, Map<string, SemaphoreNames>>();

function namesOf(plugin: string, resource: string): SemaphoreNames {
  let byResource = NAMES.get(plugin);
  if (!byResource) NAMES.set(plugin, (byResource = new Map()));
  let names = byResource.get(resource);
  if (!names) {
    const name = `${plugin}:${resource}`;
    names = { count: `${name}:count`, throttled: `${name}:throttled`, weight: `${name}:weight` };
    byResource.set(resource, names);
  }
  return names;
}

/**
 * The common case without an async frame: every permit the call needs is free now (semaphores that
 * offer `tryAcquire`) and the rate-limit bucket is open. It takes them in `limited`'s order, calls on,
 * and releases them when the call settles, as `limited` does; undefined (nothing taken) sends the call
 * to `limited`, which waits for them. Nothing else runs between the takes, so this grants exactly what
 * `limited` would have granted at once.
 */
function admitNow(
  context: CallContext,
  next: Next,
  names: SemaphoreNames,
  limits: ConcurrencySpec,
): Promise<CallResult> | undefined {
  const { services, options } = context;
  if (options.signal?.aborted) return undefined;
  const count = limits.maxConcurrent ? services.semaphore(names.count, limits.maxConcurrent) : undefined;
  if (count && !count.tryAcquire) return undefined;
  const first = count?.tryAcquire!(1);
  if (count && !first) return undefined;
  let second: Release | undefined;
  let third: Release | undefined;
  // Given back when the call goes to `limited` after all (nobody waited for them: tryAcquire takes
  // nothing anyone waits for), or fails here, as `limited` releases what it holds when it fails.
  const giveBack = () => {
    third?.();
    second?.();
    first?.();
  };
  try {
    const throttled = limits.throttled && isThrottled(context, limits.throttled);
    if (throttled && limits.throttled!.maxConcurrent) {
      second = services.semaphore(names.throttled, limits.throttled!.maxConcurrent).tryAcquire?.(1);
      if (!second) {
        giveBack();
        return limited(context, next, names, limits);
      }
    }
    const weightFn = context.endpoint.spec.weight
      ? context.plugin.spec.weights?.[context.endpoint.spec.weight]
      : undefined;
    if (limits.maxWeight && weightFn) {
      const weighted = services.semaphore(names.weight, limits.maxWeight);
      const weight = weighted.tryAcquire ? weightFn(context) : undefined;
      const factor = throttled ? (limits.throttled!.weightFactor ?? 1) : 1;
      third = weight === undefined ? undefined : weighted.tryAcquire!(weight * factor);
      if (!third) {
        giveBack();
        return limited(context, next, names, limits, weight);
      }
    }
    if (!first && !second && !third) return next();
    const open = services.rateLimiter.acquire(rateLimitBucket(context), { signal: options.signal });
    const result = open === ADMITTED ? next() : open.then(() => next());
    return result.then(
      (value) => {
        giveBack();
        return value;
      },
      (error: unknown) => {
        giveBack();
        throw error;
      },
    );
  } catch (error) {
    giveBack();
    return Promise.reject(error);
  }
}

async function limited(
  context: CallContext,
  next: Next,
  names: SemaphoreNames,
  limits: ConcurrencySpec,
  /** The weight function's answer, if `admitNow` already asked it (it may be costly: a body's size). */
  weight?: number,
): Promise<CallResult> {
  const { services, options } = context;
  const releases: Release[] = [];
  try {
    if (limits.maxConcurrent) {
      const sem = services.semaphore(names.count, limits.maxConcurrent);
      releases.push(await sem.acquire(1, options.signal));
    }
    const throttled = limits.throttled && isThrottled(context, limits.throttled);
    if (throttled && limits.throttled!.maxConcurrent) {
      const sem = services.semaphore(names.throttled, limits.throttled!.maxConcurrent);
      releases.push(await sem.acquire(1, options.signal));
    }
    const weightFn = context.endpoint.spec.weight
      ? context.plugin.spec.weights?.[context.endpoint.spec.weight]
      : undefined;
    if (limits.maxWeight && weightFn) {
      const factor = throttled ? (limits.throttled!.weightFactor ?? 1) : 1;
      const sem = services.semaphore(names.weight, limits.maxWeight);
      releases.push(await sem.acquire((weight ?? weightFn(context)) * factor, options.signal));
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
