import { ADMITTED } from '../../../ports/rate-limiter.js';
import type { Release } from '../../../ports/semaphore.js';
import type { CompiledEndpoint } from '../../manifest/compile.js';
import type { ConcurrencySpec, PluginSpec, ThrottledSpec } from '../../plugin.js';
import { afterSettled } from '../../promises/after-settled.js';
import type { CallContext, CallResult, Next, Stage } from '../context.js';
import { throughConnectionGate } from './connection-gate.js';
import { rateLimitBucket } from './rate-limit.js';
import { untilClosed } from './wait-signal.js';

/**
 * Limit concurrency per endpoint resource: a counting semaphore (`maxConcurrent`) and a weighted one
 * (`maxWeight`, charged by the endpoint's weight function, computed from the call's input since the
 * request is built only after the permits are held). Permits are held until the response headers
 * arrive; stream bodies are not counted. While the resource is throttled (its bucket backed off now or
 * within `throttled.windowMs`), a call also takes a permit of the throttled semaphore and is charged
 * `weightFactor` times its weight. A call that held permits re-checks the rate-limit window before it
 * goes on: a 429 seen (by this process or, with shared state, the fleet) while it queued holds it back
 * until the window reopens. Last, an attempt takes one of the transport's connections to its origin when
 * the transport declares how many it has (`throughConnectionGate`), before its request is built.
 */
export const semaphoreStage: Stage = {
  name: 'semaphore',
  run(context, next) {
    const resource = context.endpoint.spec.resource;
    const limits = resource ? context.plugin.spec.concurrency?.[resource] : undefined;
    const connections = context.services.transport.connectionsPerOrigin !== undefined;
    if (!limits) return connections ? throughConnectionGate(context, next) : next();
    // The transport's connections are taken last, once every other permit is held (connection-gate.ts).
    const gated = connections ? () => throughConnectionGate(context, next) : next;
    const plan = planOf(context.plugin.spec, context.endpoint, limits);
    return admitNow(context, gated, plan) ?? limited(context, gated, plan);
  },
  passes: (context) => {
    if (context.services.transport.connectionsPerOrigin !== undefined) return false;
    const resource = context.endpoint.spec.resource;
    return !resource || !context.plugin.spec.concurrency?.[resource];
  },
};

/** A semaphore a call takes a permit of. */
interface Permit {
  /** `plugin:resource:count`, `…:throttled` or `…:weight`. */
  readonly name: string;
  readonly capacity: number;
  /** Taken only while the resource is throttled (the throttled semaphore). */
  readonly whileThrottled: boolean;
  /** The endpoint's weight function (the weighted semaphore); without one a permit weighs 1. */
  readonly weigh: ((context: CallContext) => number) | undefined;
}

/**
 * What a call of one endpoint takes, in order: its permits (count, throttled, weight), then, once it
 * holds any, the rate-limit window. Built once per endpoint; `admitNow` and `limited` both walk it, so
 * the two paths cannot take them in different orders.
 */
interface AdmissionPlan {
  /** The spec it was built from (an endpoint seen with another one gets a new plan). */
  readonly plugin: PluginSpec;
  readonly permits: readonly Permit[];
  readonly throttled: ThrottledSpec | undefined;
  /**
   * The permit before which the throttle state is read: the one after the count permit, as waiting for
   * that may change the state (-1: no throttled limits).
   */
  readonly throttleAt: number;
  readonly weightFactor: number;
}
const PLANS = new WeakMap<CompiledEndpoint, AdmissionPlan>();

function planOf(plugin: PluginSpec, endpoint: CompiledEndpoint, limits: ConcurrencySpec): AdmissionPlan {
  const known = PLANS.get(endpoint);
  if (known?.plugin === plugin) return known;
  const name = `${plugin.name}:${endpoint.spec.resource}`;
  const { throttled } = limits;
  const weigh = endpoint.spec.weight ? plugin.weights?.[endpoint.spec.weight] : undefined;
  const permit = (kind: string, capacity: number, whileThrottled = false, weighs = false): Permit => ({
    name: `${name}:${kind}`,
    capacity,
    whileThrottled,
    weigh: weighs ? weigh : undefined,
  });
  const permits: Permit[] = [];
  if (limits.maxConcurrent) permits.push(permit('count', limits.maxConcurrent));
  if (throttled?.maxConcurrent) permits.push(permit('throttled', throttled.maxConcurrent, true));
  if (limits.maxWeight && weigh) permits.push(permit('weight', limits.maxWeight, false, true));
  const plan: AdmissionPlan = {
    plugin,
    permits,
    throttled,
    throttleAt: throttled ? (limits.maxConcurrent ? 1 : 0) : -1,
    weightFactor: throttled?.weightFactor ?? 1,
  };
  PLANS.set(endpoint, plan);
  return plan;
}

/**
 * The common case without an async frame: every permit the call needs is free now (semaphores that
 * offer `tryAcquire`) and the rate-limit bucket is open. It walks the plan as `limited` does, calls on,
 * and releases them when the call settles, as `limited` does; at the first permit not free now it gives
 * back what it took and hands the call to `limited`, which waits. Nothing else runs between the takes,
 * so this grants exactly what `limited` would have granted at once.
 */
function admitNow(context: CallContext, next: Next, plan: AdmissionPlan): Promise<CallResult> | undefined {
  const { services, options } = context;
  if (options.signal?.aborted) return undefined;
  const { permits } = plan;
  // At most three permits, in locals (no array per call). Given back when the call goes to `limited`
  // after all (nobody waited for them: tryAcquire takes nothing anyone waits for), or fails here, as
  // `limited` releases what it holds when it fails.
  let first: Release | undefined;
  let second: Release | undefined;
  let third: Release | undefined;
  const giveBack = () => {
    third?.();
    second?.();
    first?.();
  };
  let throttled = false;
  try {
    for (let i = 0; i < permits.length; i++) {
      if (i === plan.throttleAt && plan.throttled) throttled = isThrottled(context, plan.throttled);
      const permit = permits[i];
      if (permit.whileThrottled && !throttled) continue;
      const semaphore = services.semaphore(permit.name, permit.capacity);
      let release: Release | undefined;
      let weight: number | undefined;
      if (semaphore.tryAcquire) {
        // The weight is asked only of a semaphore that may grant it now; `limited` gets the answer.
        weight = permit.weigh?.(context);
        if (!permit.weigh) release = semaphore.tryAcquire(1);
        else if (weight !== undefined) release = semaphore.tryAcquire(charged(plan, weight, throttled));
      }
      if (!release) {
        giveBack();
        return limited(context, next, plan, weight);
      }
      if (!first) first = release;
      else if (!second) second = release;
      else third = release;
    }
    if (!first) return next();
    const bucket = rateLimitBucket(context);
    const open = untilClosed(context, services.rateLimiter.waitTime(bucket) > 0, (signal) =>
      services.rateLimiter.acquire(bucket, { signal }),
    );
    const result = open === ADMITTED ? next() : open.then(() => next());
    return afterSettled(result, giveBack);
  } catch (error) {
    giveBack();
    return Promise.reject(error);
  }
}

async function limited(
  context: CallContext,
  next: Next,
  plan: AdmissionPlan,
  /** The weight function's answer, if `admitNow` already asked it (it may be costly: a body's size). */
  weight?: number,
): Promise<CallResult> {
  const { services, options } = context;
  const { permits } = plan;
  const releases: Release[] = [];
  let throttled = false;
  try {
    for (let i = 0; i < permits.length; i++) {
      if (i === plan.throttleAt && plan.throttled) throttled = isThrottled(context, plan.throttled);
      const permit = permits[i];
      if (permit.whileThrottled && !throttled) continue;
      const semaphore = services.semaphore(permit.name, permit.capacity);
      const charge = permit.weigh ? charged(plan, weight ?? permit.weigh(context), throttled) : 1;
      releases.push(await semaphore.acquire(charge, options.signal));
    }
    if (releases.length > 0) {
      const bucket = rateLimitBucket(context);
      await untilClosed(context, services.rateLimiter.waitTime(bucket) > 0, (signal) =>
        services.rateLimiter.acquire(bucket, { signal }),
      );
    }
    return await next();
  } finally {
    for (const release of releases) release();
  }
}

/** A weighted permit's charge: the call's weight, `weightFactor` times while throttled. */
function charged(plan: AdmissionPlan, weight: number, throttled: boolean): number {
  return throttled ? weight * plan.weightFactor : weight;
}

/** The bucket is closed now, or reopened less than `windowMs` ago. */
function isThrottled(context: CallContext, spec: ThrottledSpec): boolean {
  const bucket = spec.bucket?.(context) ?? rateLimitBucket(context);
  const reopensAt = context.services.rateLimiter.reopensAt(bucket);
  return reopensAt > 0 && context.services.clock.now() - reopensAt < spec.windowMs;
}
