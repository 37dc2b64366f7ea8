/**
 * Pristine: a plugin-based hexagonal SDK kernel for TypeScript on Node.js. Plugins declare endpoints in a
 * manifest; the kernel compiles them into typed calls over swappable ports (transport, retry, serializer,
 * telemetry, …).
 *
 * @module pristine-kernel
 */
// Loads reflect-metadata (Reflect.getMetadata, which tsyringe needs) before anything else runs.
import './kernel/di-container.js';

export * from './ports/index.js';
export * from './kernel/errors/index.js';
export { Kernel, createKernel } from './defaults/kernel.js';
export type { AdapterRegistration } from './kernel/kernel.js';
export type { KernelOptions } from './kernel/kernel-options.js';
export type { KernelServices, KernelSettings } from './kernel/services.js';
export {
  definePlugin,
  type Plugin,
  type DefinedPlugin,
  type PluginSpec,
  type PluginDefaults,
  type HeaderScheme,
  type RetryPolicySpec,
  type ConcurrencySpec,
  type ThrottledSpec,
  type ErrorMapper,
} from './kernel/plugin.js';
export { defineManifest } from './kernel/manifest/types.js';
export type {
  EndpointSpec,
  BodySpec,
  CompressSpec,
  ManifestSpec,
  StreamSpec,
  PaginationSpec,
  EndpointId,
  ManifestOf,
  InputOf,
  InputArgs,
  OutputOf,
  ResponseBodyOf,
  EventOf,
  StreamEndpointId,
  PaginatedEndpointId,
  FutureEndpointId,
  KindedEndpointId,
  ItemOf,
  ResultOf,
} from './kernel/manifest/types.js';
export type { CallInput, IsOptionalMember, OpaqueInputValue } from './kernel/manifest/call-input.js';
export type { PollProtocols, PollProtocolFor, SubmitBodyOf } from './kernel/manifest/poll-protocols.js';
export type { SessionProtocols, SessionProtocolFor } from './kernel/manifest/session-protocols.js';
export type {
  StreamedCallResult,
  ExecuteResultOf,
  CheckedId,
  CheckedInput,
  DecodingArgs,
  DecodingCallOptions,
} from './kernel/manifest/entry-types.js';
export { ManifestError } from './kernel/manifest/manifest-error.js';
export {
  OptionChecks,
  MAX_TIMER_MS,
  isPlainObject,
  describeValue,
  type IssueDetail,
} from './kernel/options/option-checks.js';
export { optionNames } from './kernel/options/option-names.js';
export { closestName } from './kernel/options/closest-name.js';
export {
  headerIssues,
  headerNameProblem,
  headerValueProblem,
  assertSendableHeader,
} from './kernel/request/header-checks.js';
export { FileInputSchema } from './kernel/manifest/file-input.js';
export { loadManifest } from './kernel/manifest/load.js';
export type { CompiledEndpoint } from './kernel/manifest/compile.js';
export { Pipeline, type CallFinish } from './kernel/pipeline/pipeline.js';
export type { ResultMapping } from './kernel/pipeline/start-call.js';
export { enteringStage, runEntered } from './kernel/pipeline/stage-hooks.js';
export type {
  Stage,
  StagePlacement,
  StageHooks,
  CallContext,
  CallOptions,
  CallResult,
  UploadProgress,
} from './kernel/pipeline/context.js';
export { UPLOAD_PROGRESS_STEP_BYTES, countedUploadBody } from './kernel/request/upload-progress.js';
export { ResponseValidationError } from './kernel/pipeline/stages/validate-response.js';
export { countsAsServerFailure } from './kernel/pipeline/stages/breaker.js';
export { shouldRetryStatus } from './kernel/pipeline/stages/classify.js';
export { retryMessage, retryReason } from './kernel/pipeline/stages/retry.js';
export type { RetryLog } from './kernel/retry-log.js';
export { KERNEL_VERSION } from './kernel/version.js';
export { ApiKeyHeaderAuth, fingerprint } from './adapters/auth/api-key-header.js';
export { BearerTokenAuth } from './adapters/auth/bearer-token.js';
export { TokenProviderAuth } from './adapters/auth/token-provider.js';
export { NoAuth } from './adapters/auth/no-auth.js';
export { BackoffRetry, DEFAULT_RETRY_DELAYS } from './adapters/retry/backoff-retry.js';
export { parseRetryAfter } from './kernel/request/retry-after.js';
export { AjvJsonSerializer } from './adapters/serializer/ajv-json-serializer.js';
export { ProtobufCodec } from './adapters/serializer/protobuf-codec.js';
export { BodyCodecRegistry, mediaType } from './kernel/serialization/codec-registry.js';
export { Type, type Static, type TSchema } from '@sinclair/typebox';
export {
  Secret,
  SecretRegistry,
  scrubText,
  isSecret,
  REDACTED,
  redactHeaders,
  redactUrl,
  redactValue,
  isSecretHeader,
  carriesCredential,
} from './kernel/redact.js';
export { proxyFor } from './kernel/request/proxy-for.js';
export { KernelEvents, type KernelEventMap, type KernelEventName } from './kernel/events.js';
export {
  KernelMetrics,
  LatencyHistogram,
  BUCKET_GROWTH,
  type KernelMetricsOptions,
  type MetricsSnapshot,
  type HistogramSummary,
} from './kernel/metrics/index.js';
export { SystemClock } from './adapters/clock/system-clock.js';
export { FakeClock } from './adapters/clock/fake-clock.js';
export { GotTransport, type GotTransportOptions } from './adapters/transport/got-transport.js';
export { UndiciTransport, type UndiciTransportOptions } from './adapters/transport/undici-transport.js';
export {
  MemoryTransport,
  type MemoryAnswer,
  type MemoryHandler,
  type MemoryResponse,
} from './adapters/transport/memory-transport.js';
export { ZlibCompression, type ZlibCompressionOptions } from './adapters/compression/zlib-compression.js';
export { FormDataMultipart } from './adapters/multipart/form-data-multipart.js';
export { NoopTelemetry } from './adapters/telemetry/noop-telemetry.js';
export { JsonLogger, type JsonLoggerOptions, type LogLine } from './adapters/logger/json-logger.js';
export { textLine } from './adapters/logger/text-line.js';
export { visibleControls } from './adapters/logger/visible-controls.js';
export { CaptureLogger, type CapturedRecord } from './adapters/logger/capture-logger.js';
export { SilentLogger } from './adapters/logger/silent-logger.js';
export {
  OtelTelemetry,
  formatTraceparent,
  type OtelTelemetryOptions,
} from './adapters/telemetry/otel-telemetry.js';
export { MemoryTransport as InMemoryTransport } from './adapters/transport/memory-transport.js';
export {
  FifoSemaphore,
  FifoSemaphoreFactory,
  type SemaphoreTicket,
} from './adapters/semaphore/fifo-semaphore.js';
export { WindowRateLimiter, bucketKey } from './adapters/rate-limiter/window-rate-limiter.js';
export { CockatielBreakerRegistry } from './adapters/circuit-breaker/cockatiel-breaker.js';
export { RedisRateLimiter } from './adapters/rate-limiter/redis-rate-limiter.js';
export { RedisSemaphore } from './adapters/semaphore/redis-semaphore.js';
export { RedisSemaphoreFactory } from './adapters/semaphore/redis-semaphore-factory.js';
export { RedisBreakerRegistry } from './adapters/circuit-breaker/redis-breaker.js';
export { RedisLink, type RedisLinkOptions } from './adapters/redis/redis-link.js';
export type { SharedStateOptions, OnRedisUnavailable } from './kernel/shared-state-options.js';
export { WhatwgSseDecoder, SseBufferOverflowError } from './adapters/streaming/sse-decoder.js';
export { SseStreaming } from './adapters/streaming/sse-streaming.js';
export { APIFuture } from './kernel/futures/api-future.js';
export { Futures } from './kernel/futures/combinators.js';
export { PipelinePoller } from './kernel/futures/pipeline-poller.js';
export { exponentialDelay } from './kernel/futures/repoll-pacing.js';
export {
  FutureFailedError,
  FutureExpiredError,
  ResultTooLargeError,
  FutureCancelledError,
  FutureTimeoutError,
} from './kernel/futures/future-errors.js';
export {
  IdleWaitError,
  type IdleBound,
  type InFlightCounts,
  type InFlightKind,
} from './kernel/idle/idle-error.js';
export type { IdleOptions } from './kernel/idle/in-flight.js';
export {
  attemptMayHaveApplied,
  earlierAttemptMayHaveApplied,
  errorAfterMaybeAppliedAttempt,
} from './kernel/pipeline/may-have-applied.js';
export { EventStream, type StreamOptions } from './kernel/streams/event-stream.js';
export {
  StreamIdleTimeoutError,
  StreamEventError,
  StreamTruncatedError,
} from './kernel/streams/stream-errors.js';
export { PipelineSessionManager } from './kernel/sessions/pipeline-session-manager.js';
export { paginate, type PageIterable } from './kernel/pagination/paginate.js';
export { collectPages } from './kernel/pagination/collect-pages.js';
export { onAbort } from './kernel/signals/on-abort.js';
export { untilAborted } from './kernel/signals/until-aborted.js';
export { deadlineErrorOf } from './kernel/signals/deadline-error.js';
export { SharedLoads, type SharedLoadStart, type SharedLoadOptions } from './kernel/signals/shared-loads.js';
export { abortErrorFor } from './kernel/signals/abort-error-for.js';
export { linkedSignal, linkedSignals, type LinkedSignal } from './kernel/signals/linked-signal.js';
export { everyWhileReachable } from './kernel/timers/every-while-reachable.js';
export { atExitWhileReachable } from './kernel/timers/at-exit-while-reachable.js';

// Types that public signatures reference, so users can name them (and the API reference can link them).
export type { EndpointOf, ElementAt } from './kernel/manifest/types.js';
export type { ResolvedOptions, Next } from './kernel/pipeline/context.js';
export type { RegisteredPlugin } from './kernel/plugin.js';
export type { RecordLevel } from './adapters/logger/log-levels.js';
export type { PathTemplate } from './kernel/manifest/path-template.js';
export type { SubmitOptions } from './kernel/kernel.js';
export type { PageHost } from './kernel/pagination/paginate.js';
export type { RedactValueOptions } from './kernel/redact.js';
export type { CaptureLoggerOptions } from './adapters/logger/capture-logger.js';
export type { StreamHost } from './kernel/streams/event-stream.js';
export type { Scrubber } from './kernel/errors/error-secrets.js';
export type { KernelEventsOptions, KernelEventListener } from './kernel/events.js';
export type { Attrs as SpanAttributes } from './adapters/telemetry/otel-telemetry.js';
export type { Pending as PipelineEntry } from './kernel/pipeline/pipeline.js';
export type { PollerHost, PollerOptions } from './kernel/futures/pipeline-poller.js';
export type { Reply as RedisReply, LuaScript } from './adapters/redis/redis-scripts.js';
export type { RedisBreakerOptions } from './adapters/circuit-breaker/redis-breaker.js';
export type { RedisSemaphoreOptions } from './adapters/semaphore/redis-semaphore-options.js';
export type { SessionHost } from './kernel/sessions/pipeline-session-manager.js';
export type { EndpointKinds } from './kernel/manifest/types.js';
export type { Polling } from './kernel/manifest/poll-protocols.js';
export type { Step as PollStep, PollAllowances, PollSteps } from './kernel/futures/poll-loop.js';
export type { KernelSummary } from './kernel/kernel-summary.js';
export type { ResultOptions } from './kernel/futures/check-result-options.js';
export type { FleetMembers } from './adapters/semaphore/redis-semaphore.js';
