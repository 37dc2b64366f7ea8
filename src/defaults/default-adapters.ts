import type { DependencyContainer } from 'tsyringe';
import { Ports } from '../ports/index.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import { NoAuth } from '../adapters/auth/no-auth.js';
import { CockatielBreakerRegistry } from '../adapters/circuit-breaker/cockatiel-breaker.js';
import { SystemClock } from '../adapters/clock/system-clock.js';
import { ZlibCompression } from '../adapters/compression/zlib-compression.js';
import { JsonLogger } from '../adapters/logger/json-logger.js';
import { FormDataMultipart } from '../adapters/multipart/form-data-multipart.js';
import { WindowRateLimiter } from '../adapters/rate-limiter/window-rate-limiter.js';
import { BackoffRetry } from '../adapters/retry/backoff-retry.js';
import { FifoSemaphoreFactory } from '../adapters/semaphore/fifo-semaphore.js';
import { AjvJsonSerializer } from '../adapters/serializer/ajv-json-serializer.js';
import { ProtobufCodec } from '../adapters/serializer/protobuf-codec.js';
import { SseStreaming } from '../adapters/streaming/sse-streaming.js';
import { NoopTelemetry } from '../adapters/telemetry/noop-telemetry.js';
import { GotTransport } from '../adapters/transport/got-transport.js';
import { logBreakerChanges } from '../kernel/breaker-log.js';
import type { DefaultAdapterContext } from '../kernel/composition-root.js';
import { BodyCodecRegistry } from '../kernel/serialization/codec-registry.js';

/**
 * The default adapter of each port (CompositionRoot.bindDefaults). Factories resolve their own
 * dependencies from the container, so overriding the Clock also changes the clock that retry, rate
 * limiting and circuit breakers use.
 */
export function registerDefaultAdapters(
  container: DependencyContainer,
  context: DefaultAdapterContext,
): void {
  const lazy = <T>(token: symbol, make: (c: DependencyContainer) => T) => {
    let instance: T | undefined;
    container.register(token, { useFactory: (c) => (instance ??= make(c)) });
  };
  lazy(Ports.Clock, () => new SystemClock());
  lazy(Ports.Transport, () => new GotTransport());
  lazy(Ports.Retry, (c) => new BackoffRetry(c.resolve<Clock>(Ports.Clock)));
  lazy(Ports.CircuitBreaker, (c) => {
    const registry = new CockatielBreakerRegistry(c.resolve<Clock>(Ports.Clock));
    registry.onStateChange((change) => context.events.emit('breaker:state', change));
    registry.onStateChange(logBreakerChanges(c.resolve<Logger>(Ports.Logger)));
    return registry;
  });
  lazy(Ports.RateLimiter, (c) => new WindowRateLimiter(c.resolve<Clock>(Ports.Clock)));
  lazy(Ports.Semaphore, () => new FifoSemaphoreFactory());
  lazy(Ports.Serializer, () => new AjvJsonSerializer());
  lazy(Ports.Codecs, () => new BodyCodecRegistry([new ProtobufCodec()]));
  lazy(Ports.Telemetry, () => new NoopTelemetry());
  lazy(Ports.Auth, () => new NoAuth());
  lazy(Ports.Compression, () => new ZlibCompression());
  lazy(Ports.Multipart, () => new FormDataMultipart());
  lazy(Ports.Streaming, () => new SseStreaming());
  lazy(
    Ports.Logger,
    () =>
      new JsonLogger({
        level: context.logLevel ?? 'warn',
        envVar: context.logLevelEnv?.(),
        secrets: context.secrets,
        // Only debug records carry header maps (the request log); secret headers are redacted.
        logHeaders: true,
      }),
  );
}
