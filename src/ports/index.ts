import { AuthToken } from './auth.js';
import { CodecsToken } from './body-codec.js';
import { CircuitBreakerToken } from './circuit-breaker.js';
import { ClockToken } from './clock.js';
import { CompressionToken } from './compression.js';
import { FuturesToken } from './futures.js';
import { LoggerToken } from './logger.js';
import { MultipartToken } from './multipart.js';
import { RateLimiterToken } from './rate-limiter.js';
import { RetryToken } from './retry.js';
import { SemaphoreToken } from './semaphore.js';
import { SerializerToken } from './serializer.js';
import { SessionsToken } from './sessions.js';
import { StreamingToken } from './streaming.js';
import { TelemetryToken } from './telemetry.js';
import { TransportToken } from './transport.js';

/** The settled promise a rate limiter's `acquire` returns to admit at once (see the port). */
export { ADMITTED } from './rate-limiter.js';

export type * from './auth.js';
export type * from './body-codec.js';
export type * from './circuit-breaker.js';
export type * from './clock.js';
export type * from './compression.js';
export type * from './futures.js';
export type * from './logger.js';
export type * from './multipart.js';
export type * from './rate-limiter.js';
export type * from './retry.js';
export type * from './semaphore.js';
export type * from './serializer.js';
export type * from './sessions.js';
export type * from './streaming.js';
export type * from './telemetry.js';
export type * from './transport.js';
export type * from './port-token.js';

/** Every port's injection token. */
export const Ports = Object.freeze({
  Transport: TransportToken,
  Retry: RetryToken,
  CircuitBreaker: CircuitBreakerToken,
  RateLimiter: RateLimiterToken,
  Semaphore: SemaphoreToken,
  Serializer: SerializerToken,
  Codecs: CodecsToken,
  Telemetry: TelemetryToken,
  Auth: AuthToken,
  Compression: CompressionToken,
  Multipart: MultipartToken,
  Streaming: StreamingToken,
  Futures: FuturesToken,
  Sessions: SessionsToken,
  Clock: ClockToken,
  Logger: LoggerToken,
});

export type PortName = keyof typeof Ports;
