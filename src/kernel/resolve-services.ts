import type { DependencyContainer } from 'tsyringe';
import { Ports } from '../ports/index.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { SemaphoreFactory } from '../ports/semaphore.js';
import { parseRetryAfter } from './request/retry-after.js';
import { checkClock } from './check-clock.js';
import type { ClosingState } from './closing-state.js';
import type { CompositionRoot } from './composition-root.js';
import type { KernelEvents } from './events.js';
import type { ProxyResolver } from './request/proxy-for.js';
import type { SecretRegistry } from './redact.js';
import { RetryLog } from './retry-log.js';
import { SharedSemaphores } from './shared-semaphores.js';
import type { KernelServices, KernelSettings } from './services.js';

/** Resolve every port once into the services record the stages read. */
export function resolveServices(
  container: DependencyContainer,
  settings: KernelSettings,
  events: KernelEvents,
  secrets: SecretRegistry,
  proxies: ProxyResolver,
  closing: ClosingState,
  root: Pick<CompositionRoot, 'localSemaphores'>,
): KernelServices {
  const clock = container.resolve<Clock>(Ports.Clock);
  checkClock(clock); // a factory's clock is seen only now
  const semaphores = container.resolve<SemaphoreFactory>(Ports.Semaphore);
  const shared = new SharedSemaphores(semaphores);
  const logger = container.resolve<Logger>(Ports.Logger);
  return {
    settings,
    transport: container.resolve(Ports.Transport),
    auth: container.resolve(Ports.Auth),
    retry: container.resolve(Ports.Retry),
    breakers: container.resolve(Ports.CircuitBreaker),
    rateLimiter: container.resolve(Ports.RateLimiter),
    semaphores,
    localSemaphores: root.localSemaphores,
    serializer: container.resolve(Ports.Serializer),
    codecs: container.resolve(Ports.Codecs),
    telemetry: container.resolve(Ports.Telemetry),
    compression: container.resolve(Ports.Compression),
    multipart: container.resolve(Ports.Multipart),
    streaming: container.resolve(Ports.Streaming),
    futures: container.resolve(Ports.Futures),
    clock,
    logger,
    // Made anew with the services (after a registration): a logger or clock registered anew starts
    // with no windows; the kernel's close says what each one left unsaid.
    retryLog: new RetryLog(logger, clock, closing.closingSignal),
    events,
    secrets,
    closing: closing.closingSignal,
    refuses: closing.refuses,
    stopping: closing.stopping,
    semaphore: (key, capacity) => shared.get(key, capacity),
    proxyFor: (url) => proxies.resolve(url, logger),
    retryAfter: (headers) => parseRetryAfter(headers, clock.now()),
  };
}
