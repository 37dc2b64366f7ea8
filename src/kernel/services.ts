import type { CircuitBreakerRegistry, BreakerSettings } from '../ports/circuit-breaker.js';
import type { AuthScheme } from '../ports/auth.js';
import type { Clock } from '../ports/clock.js';
import type { Compression } from '../ports/compression.js';
import type { Logger } from '../ports/logger.js';
import type { Multipart } from '../ports/multipart.js';
import type { RateLimiter, TokenBucketSettings } from '../ports/rate-limiter.js';
import type { Retry } from '../ports/retry.js';
import type { Semaphore, SemaphoreFactory } from '../ports/semaphore.js';
import type { CodecRegistry } from '../ports/body-codec.js';
import type { Serializer } from '../ports/serializer.js';
import type { Streaming } from '../ports/streaming.js';
import type { FuturePoller } from '../ports/futures.js';
import type { Telemetry } from '../ports/telemetry.js';
import type { Transport } from '../ports/transport.js';
import type { KernelEvents } from './events.js';
import type { SecretRegistry } from './redact.js';
import type { RetryLog } from './retry-log.js';

/** Kernel-wide settings that are not adapters. */
export interface KernelSettings {
  baseUrl?: string;
  timeoutMs: number;
  maxRetries: number;
  responseValidation: 'strict' | 'warn' | 'off';
  /** Gzip request bodies above this many bytes when the endpoint asks for compression. */
  compressionThresholdBytes: number;
  /** Default breaker settings (a plugin or endpoint resource may override). `false` disables breakers. */
  breaker: BreakerSettings | false;
  tokenBucket?: TokenBucketSettings;
  /** Header carrying the server's request id, read into errors and results. */
  requestIdHeader: string;
  /**
   * The most bytes a response with a `Content-Encoding` may decode to (per response, whatever its type):
   * a few KB of gzip or zstd can claim gigabytes. Past it the call fails with a SerializationError naming
   * this setting, not retried (the server would send the same bytes again).
   */
  maxDecompressedBytes: number;
  proxy?: string;
  /**
   * Where `proxy` came from, named in the debug line saying calls go through it (a plugin that reads
   * its own variable into `proxy` names it, e.g. `MY_SDK_PROXY`); default "the proxy option".
   */
  proxySource?: string;
}

/** The resolved adapters and shared registries one kernel's stages use. */
export interface KernelServices {
  readonly settings: KernelSettings;
  readonly transport: Transport;
  /** Fallback auth for plugins that declare none. */
  readonly auth: AuthScheme;
  readonly retry: Retry;
  readonly breakers: CircuitBreakerRegistry;
  readonly rateLimiter: RateLimiter;
  readonly semaphores: SemaphoreFactory;
  /** In-process FIFO semaphores whatever `semaphores` is (the connection gate's: see CompositionRoot). */
  readonly localSemaphores: SemaphoreFactory;
  readonly serializer: Serializer;
  /** Non-JSON body codecs by media type (JSON stays with the serializer). */
  readonly codecs: CodecRegistry;
  readonly telemetry: Telemetry;
  readonly compression: Compression;
  readonly multipart: Multipart;
  readonly streaming: Streaming;
  /** Polls submitted futures (resolved once, like every port here, not per submit). */
  readonly futures: FuturePoller;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The kernel's retry lines at info, summed up per endpoint and cause (on this clock and logger). */
  readonly retryLog: RetryLog;
  readonly events: KernelEvents;
  readonly secrets: SecretRegistry;
  /** Aborted by `close()`: waits that would only delay its ClientClosedError (retry backoff) end then. */
  readonly closing: AbortSignal;
  /**
   * The signal that ends an endpoint's waits (retry backoff, a limiter's wait) because the client is
   * closing: `closing` for `closeExcept`'s final endpoints, for every other endpoint one that
   * `closeExcept` already aborted, so a call the caller asked to stop does not sleep through the final
   * reports.
   */
  stopping(endpointId: string): AbortSignal;
  /**
   * Whether a call to the endpoint may no longer be sent: the kernel is closed (or closing, and it is
   * not one of `closeExcept`'s final endpoints). Asked again before each request is built.
   */
  refuses(endpointId: string): boolean;
  /**
   * Semaphores are shared per key (the kernel's: per plugin, resource and kind) across every call of
   * the kernel. One for a key nobody uses any more is let go (SharedSemaphores); while a caller still
   * has it, the key returns that one.
   */
  semaphore(key: string, capacity: number): Semaphore;
  /** The proxy URL for a request URL (explicit setting, else the environment read at kernel creation). */
  proxyFor(url: string): string | undefined;
  /** A server-given delay read from response headers, bounded by the retry policy. */
  retryAfter(headers: Record<string, string>): number | undefined;
}
