import type { DependencyContainer } from 'tsyringe';
import { Ports } from '../ports/index.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import { RedisBreakerRegistry } from '../adapters/circuit-breaker/redis-breaker.js';
import { RedisRateLimiter } from '../adapters/rate-limiter/redis-rate-limiter.js';
import { RedisLink } from '../adapters/redis/redis-link.js';
import { RedisSemaphoreFactory } from '../adapters/semaphore/redis-semaphore-factory.js';
import { bind } from '../kernel/bind-adapter.js';
import { logBreakerChanges } from '../kernel/breaker-log.js';
import type { KernelEvents } from '../kernel/events.js';
import type { SecretRegistry } from '../kernel/redact.js';
import { redisSeeds } from '../kernel/options/redis-seeds.js';
import type { SharedStateOptions } from '../kernel/shared-state-options.js';
import type { SharedStateClosers } from '../kernel/composition-root.js';

/**
 * Bind the Redis-backed RateLimiter, Semaphore and CircuitBreaker adapters in place of the in-process
 * ones (plugins and `kernel.register` may still override them). Returns the function `kernel.close()`
 * calls to stop lease renewals, give back held permits and queue places, and close the connections.
 */
export function registerSharedAdapters(
  container: DependencyContainer,
  options: SharedStateOptions,
  context: { events: KernelEvents; secrets: SecretRegistry },
): SharedStateClosers {
  const { redis, leaseMs, trialLeaseMs, shareSemaphore, ...linkOptions } = options;
  for (const seed of redisSeeds(redis)) context.secrets.addUrlCredentials(seed);
  const link = new RedisLink({ url: redis, ...linkOptions });
  const made: { semaphores?: RedisSemaphoreFactory } = {};
  const withLogger = (c: DependencyContainer) => {
    const logger = c.resolve<Logger>(Ports.Logger);
    link.useLogger(logger);
    link.useClock(c.resolve<Clock>(Ports.Clock));
    return logger;
  };
  bind(container, Ports.RateLimiter, (c) => {
    withLogger(c);
    return new RedisRateLimiter(link, c.resolve<Clock>(Ports.Clock));
  });
  bind(container, Ports.Semaphore, (c) => {
    const logger = withLogger(c);
    made.semaphores = new RedisSemaphoreFactory(link, c.resolve<Clock>(Ports.Clock), {
      leaseMs,
      logger,
      share: shareSemaphore,
    });
    return made.semaphores;
  });
  bind(container, Ports.CircuitBreaker, (c) => {
    withLogger(c);
    const registry = new RedisBreakerRegistry(link, { trialLeaseMs, clock: c.resolve<Clock>(Ports.Clock) });
    registry.onStateChange((change) => context.events.emit('breaker:state', change));
    registry.onStateChange(logBreakerChanges(c.resolve<Logger>(Ports.Logger)));
    return registry;
  });
  return { close: closerOf(link, made), closeForgotten: linkCloserOf(link) };
}

function closerOf(link: RedisLink, made: { semaphores?: RedisSemaphoreFactory }): () => Promise<void> {
  return async () => {
    await made.semaphores?.close();
    await link.close();
  };
}

/**
 * Made in a scope of its own, capturing the link alone (closures made in one function share its
 * captured variables): the kernel holds it until it is collected, and the semaphores reach the kernel
 * (a plugin's `shareSemaphore` closes over it), so a closer over them kept every forgotten kernel alive.
 */
function linkCloserOf(link: RedisLink): () => Promise<void> {
  return () => link.close();
}
