import type { SessionHandle } from 'pristine-kernel';
import type { ResolvedConfig } from '../config.js';
import { TelemetryReporter } from '../telemetry/reporter.js';
import { loggerOf, type TinkerKernel } from './tinker-kernel.js';

/**
 * The sessionful half of a ServiceClient, created on first training or sampling use: the session, its
 * heartbeat, its telemetry, and the per-session counters the protocol requires.
 */
export class SessionContext {
  private modelSeq = 0;
  private samplingSeq = 0;

  private constructor(
    readonly kernel: TinkerKernel,
    readonly session: SessionHandle,
    readonly telemetry: TelemetryReporter | undefined,
  ) {}

  static async open(kernel: TinkerKernel, config: ResolvedConfig): Promise<SessionContext> {
    const protocol = kernel.pluginOf('create_session').sessionProtocols?.tinker;
    if (!protocol)
      throw new Error('Not a Tinker kernel: no "tinker" session protocol (use createTinkerKernel)');
    const session = await kernel.sessions.open(protocol, {
      tags: config.tags,
      user_metadata: config.user_metadata,
      sdk_version: config.sdk_version,
      ...(config.project_id ? { project_id: config.project_id } : {}),
    });
    const services = kernel.getServices();
    const telemetry = config.telemetry
      ? new TelemetryReporter(kernel, session.id, config.sdk_version, services.clock, loggerOf(kernel))
      : undefined;
    return new SessionContext(kernel, session, telemetry);
  }

  get sessionId(): string {
    return this.session.id;
  }

  /** model_seq_id: 0, 1, … per training client of this session. */
  nextModelSeqId(): number {
    return this.modelSeq++;
  }

  /** sampling_session_seq_id: shared by sampling sessions and unnamed sampler saves. */
  nextSamplingSeqId(): number {
    return this.samplingSeq++;
  }

  async close(): Promise<void> {
    await this.session.stop();
    await this.telemetry?.close();
  }
}
