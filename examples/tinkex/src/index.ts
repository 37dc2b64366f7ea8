/**
 * Tinkex: a TypeScript SDK for the Tinker training and sampling API, built as a Pristine plugin.
 * Start with {@link ServiceClient}.
 *
 * @module tinkex
 */
// No `import 'reflect-metadata'` here: pristine-kernel loads it (with require, see its di-container.ts),
// and an ES import of that CommonJS file costs 3–4 MiB of RSS (docs/performance-notes.md, round 5).

export { ServiceClient, type ServiceClientInit, type LoraTrainingOptions } from './client/service-client.js';
export { TrainingClient } from './client/training-client.js';
export {
  SamplingClient,
  DEFAULT_SAMPLING_RETRY,
  type SamplingRetryConfig,
  type SampleRequest,
  type SampleStreamChunk,
} from './client/sampling-client.js';
export { RestClient, type AccessScope, type CheckpointArchiveUrl } from './client/rest-client.js';
export type { CheckpointDeleted } from './client/checkpoint-delete.js';
export type { TraceExportProgress, WhoAmI } from './client/rest-account.js';
export { createTinkerKernel, type TinkerKernel } from './client/tinker-kernel.js';
export { checkRequestOptions, type RequestOptions } from './client/request-options.js';
export type { DecodeOptions, EncodeOptions } from './client/tokenizer-cache.js';
export { resolveConfig, DEFAULT_BASE_URL, type ResolvedConfig } from './config.js';
export type { ServiceClientOptions } from './service-client-options.js';
export { tinkerPlugin } from './plugin/tinker-plugin.js';
export { tinkerManifest, type TinkerManifest } from './manifest.js';
export { RequestFailedError } from './plugin/errors.js';
export { SessionGoneError } from './plugin/session-gone.js';
export { CredentialCommandError } from './protocol/credential.js';
export { ExpiredCredentialError } from './protocol/expired-credential.js';
export { ModelInput } from './types/model-input.js';
export { TensorData } from './types/tensor-data.js';
export {
  sparseCsrTensor,
  toSparseCsr,
  sparsifyIfSmaller,
  type SparseCsrParts,
} from './types/sparse-tensor.js';
export { dmelChunk } from './types/dmel-chunk.js';
export { tensorContainerShape } from './types/tensor-container.js';
export type { PollBackoff, CircuitBreakerOption } from './config-request-options.js';
export { DEFAULT_SAMPLE_THROTTLE, type SampleThrottle } from './config-sampling.js';
export { datum, checkData } from './types/datum.js';
export { parseTinkerPath, type ParsedTinkerPath } from './types/tinker-path.js';
export * from './types/schemas.js';
export { chunkData, estimateDatumBytes } from './training/chunking.js';
export { mergeMetrics, mergeOutputs } from './training/metrics.js';
export { TrainingSequenceAbortedError, type FailedStep } from './training/submission-order.js';
export type {
  CustomLoss,
  ManualLoss,
  AutodiffLoss,
  ForwardBackwardCustomOutput,
  LossMetrics,
} from './training/custom-loss.js';
export { loadTokenizer, resolveTokenizerId, type Tokenizer } from './tokenizer/tokenizer.js';
export { getTokenizer, type GetTokenizerOptions } from './tokenizer/get-tokenizer.js';
export type { HubOptions } from './hub/hub-settings.js';
export {
  pushCheckpointToHub,
  type PushCheckpointOptions,
  type PushCheckpointResult,
  type PushProgress,
} from './hub/push-checkpoint.js';
export {
  HubAuthError,
  HubError,
  HubNotFoundError,
  HubOfflineError,
  HubOverwriteError,
} from './hub/hub-errors.js';
export {
  downloadCheckpoint,
  type DownloadOptions,
  type DownloadProgress,
  type DownloadResult,
} from './download/checkpoint-download.js';
export { extractSafely } from './download/extract.js';
export { checkpointFolderName } from './download/download-target.js';
export {
  ArchiveNotReadyError,
  CheckpointArchiveError,
  CorruptArchiveError,
  DownloadInterruptedError,
  DownloadTargetError,
  UnsafeArchiveError,
} from './download/download-errors.js';
export { TelemetryReporter } from './telemetry/reporter.js';
export {
  recoveryPolicy,
  recoveryBackoff,
  RECOVERY_DEFAULTS,
  type RecoveryPolicy,
  type RecoveryPolicyOptions,
  type CheckpointStrategy,
  type RecoveredRun,
  type RecoveryCheckpoint,
} from './recovery/policy.js';
export {
  RecoveryExecutor,
  MissingCheckpointError,
  type RecoverOptions,
  type RecoverResult,
  type RecoveryExecutorOptions,
} from './recovery/executor.js';
export { RecoveryMonitor, type RecoveryMonitorOptions, type MonitorResult } from './recovery/monitor.js';
export type { RecoveryEventMap, RecoveryEventName } from './recovery/events.js';
export { TinkexMetrics } from './metrics/tinkex-metrics.js';
export type { MetricsSnapshot, HistogramSummary, KernelMetricsOptions } from 'pristine-kernel';
export { VERSION } from './version.js';
export {
  APIFuture,
  Futures,
  ValidationError,
  APIError,
  APIStatusError,
  APIConnectionError,
  APITimeoutError,
  APIUserAbortError,
  ClientClosedError,
  ProxyError,
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  ConflictError,
  UnprocessableEntityError,
  RateLimitError,
  InternalServerError,
  FutureFailedError,
  FutureTimeoutError,
  FutureExpiredError,
  FutureCancelledError,
  IdleWaitError,
  type IdleOptions,
  type InFlightCounts,
  PristineError,
  StreamIdleTimeoutError,
  StreamTruncatedError,
  StreamEventError,
  SseBufferOverflowError,
  CircuitOpenError,
  ResponseValidationError,
  ResultTooLargeError,
  SerializationError,
  BodySourceError,
  AuthSchemeError,
  PluginError,
  SharedStateUnavailableError,
} from 'pristine-kernel';
