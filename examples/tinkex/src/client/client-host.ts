import type { QueueStateEvent } from 'pristine-kernel';
import type { ResolvedConfig } from '../config.js';
import type { TinkerProtocol } from '../protocol/tinker-protocol.js';
import type { TelemetryReporter } from '../telemetry/reporter.js';
import type { TinkerKernel } from './tinker-kernel.js';

/**
 * What the REST, sampling and training clients use of the `ServiceClient` that created them. They
 * depend on this instead of on service-client.ts, which constructs them: that way no two client
 * modules import each other.
 */
export interface ClientHost {
  readonly kernel: TinkerKernel;
  readonly config: ResolvedConfig;
  /** The sessionful holder's protocol (training, sampling, sessions). */
  readonly protocol: TinkerProtocol;
  /** The session-less holder's protocol (REST calls, capabilities, `weights_info`). */
  readonly restProtocol: TinkerProtocol;
  /** Where telemetry goes now (the session's reporter, else the session-less one); undefined when off. */
  activeTelemetry(): TelemetryReporter | undefined;
  /** The session-less reporter of REST-only use, created on first use; undefined when off. */
  restTelemetry(): TelemetryReporter | undefined;
  /** The queue-state observer that warns for `identifier`, shared by every client of the kernel. */
  queueWarnings(
    prefix: 'Training' | 'Sampling' | 'Model creation',
    identifier: string,
  ): (event: QueueStateEvent) => void;
  /** The latest failure the kernel retried, and when (a stalled sampler names it). */
  readonly latestRetry: { error: unknown; at: number } | undefined;
}
