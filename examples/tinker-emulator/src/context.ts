import { randomInt } from 'node:crypto';
import { ByteModel } from './model/byte-model.js';
import { prng } from './model/prng.js';
import type { Chaos } from './chaos.js';
import type { FutureStore } from './futures.js';
import type { EmulatorState, UsageRecord } from './state.js';
import { HttpError } from './http-util.js';
import type { JwtIssuer } from './auth.js';
import type { ClientConfig, DynamicConfig } from './protocol/client-config.js';
import type { ProtobufResultLayout } from './protocol/results.js';
import type { TimerSet } from './timers.js';

export interface ModelSpec {
  model_name: string;
  vocab_size: number;
  max_context_length: number;
}

/** Models the emulator advertises, with their real vocabulary sizes and context lengths. */
export const SUPPORTED_MODELS: ModelSpec[] = [
  { model_name: 'meta-llama/Llama-3.2-1B', vocab_size: 128256, max_context_length: 131072 },
  { model_name: 'meta-llama/Llama-3.1-8B', vocab_size: 128256, max_context_length: 131072 },
  { model_name: 'Qwen/Qwen3-8B', vocab_size: 151936, max_context_length: 32768 },
  { model_name: 'tinkex/byte-tiny', vocab_size: 256, max_context_length: 4096 },
];

export const TOKENIZER_ID = 'tinkex/byte-level';

/** The 0.25-era protocol settings (flags, JWTs, long polls) and the clock's one-shot timer. */
export interface ProtocolSettings {
  /** Answered by `client/config`; mutable at run time (`emulator.setClientConfig`). */
  clientConfig: ClientConfig;
  /** Answered by `client/dynamic_config`; mutable at run time. */
  dynamicConfig: DynamicConfig;
  /** Behave like a server that predates `client/config`: 404 there and JSON only. */
  legacyJson: boolean;
  /** How long `retrieve_future` holds a poll open while the result is not ready. */
  longPollMs: number;
  /**
   * How long a full result fetched after a `complete_metadata` answer is held before it is sent: models
   * a large download, so the client's in-flight result byte budget becomes observable. Default 0.
   */
  resultHoldMs: number;
  jwt: JwtIssuer;
  /** API key → account (`EmulatorOptions.accounts`); other keys are the default account's. */
  accounts: ReadonlyMap<string, string>;
  /** `trace_export` answers pending this many times per session before ready. */
  traceExportPendingPolls: number;
  /** While true, work endpoints answer 402 (billing pause); mutable (`emulator.setBillingPaused`). */
  billingPaused: boolean;
  /** How protobuf forward/backward results are laid out. */
  resultLayout: ProtobufResultLayout;
  /** The emulator's timers, on its clock; `close()` cancels them all. */
  timers: TimerSet;
}

/** What every route handler works with. */
export class EmulatorContext {
  private readonly baseModels = new Map<string, ByteModel>();
  /** Short-lived archive download tokens. */
  readonly downloads = new Map<string, { path?: string; trace?: string; expires: number }>();
  /**
   * Random per start, as the future store's ids (futures.ts): a client from before a restart (same port,
   * same seed) must get 404 for its session and models, not the session the new emulator numbered the
   * same, another client's, whose model its training steps were applied to.
   */
  private nextSession = randomInt(0, 2 ** 40);
  /** How long a request waits for a missing predecessor seq_id before the gap is passed over. */
  sequenceGapMs = 10_000;
  /**
   * Draws of samples without their own `sampling_params.seed`. One stream per emulator, not per module:
   * a second emulator in the same process (a test suite's) must not reseed or consume the first's.
   */
  readonly samplingRandom: () => number;

  constructor(
    readonly state: EmulatorState,
    readonly futures: FutureStore,
    readonly chaos: Chaos,
    readonly seed: number,
    readonly now: () => number,
    readonly baseUrl: () => string,
    /** Results above this size answer `complete_metadata` when the client allows it. */
    readonly metadataThresholdBytes: number,
    /** Multiplies every learning_rate (see docs/emulator.md). */
    readonly learningRateScale: number,
    /** Zero bytes added to every checkpoint archive as `padding.bin` (download benchmarks). */
    readonly archivePaddingBytes: number,
    readonly protocol: ProtocolSettings,
  ) {
    this.samplingRandom = prng(seed ^ 0xabcdef);
  }

  /** The frozen base of one advertised model, built once. */
  baseModel(name: string): ByteModel {
    const spec = SUPPORTED_MODELS.find((m) => m.model_name === name);
    if (!spec) throw new HttpError(400, `base_model "${name}" is not supported`, 'base_model');
    let model = this.baseModels.get(name);
    if (!model) {
      model = new ByteModel(spec.vocab_size, this.seed);
      this.baseModels.set(name, model);
    }
    return model;
  }

  newSessionId(): string {
    return `${(this.seed >>> 0).toString(16).padStart(8, '0')}-${(++this.nextSession).toString().padStart(4, '0')}-4000-8000-emulator`;
  }

  iso(): string {
    return new Date(this.now()).toISOString();
  }

  /** Record an audit event (`GET /api/v1/audit`). */
  audit(event: string, fields: { model_id?: string; tinker_path?: string; purpose?: string } = {}): void {
    this.state.audit.push({ timestamp: this.iso(), event, ...fields });
  }

  /** Record metered work (`GET /api/v1/billing/usage/events`). */
  meter(sessionId: string, baseModel: string, type: UsageRecord['type'], amount: number): void {
    if (amount > 0) this.state.meter(this.now(), sessionId, baseModel, type, amount);
  }

  model(id: string) {
    const model = this.state.models.get(id);
    if (!model || model.unloaded) throw new HttpError(404, `model ${id} not found`, 'model_id');
    model.last_request_time = this.iso();
    return model;
  }
}

/** Split `tinker://RUN/weights/NAME` into its parts (exactly three parts, the middle a known kind). */
export function parseTinkerPath(path: string): {
  run: string;
  kind: 'weights' | 'sampler_weights';
  name: string;
} {
  const m = /^tinker:\/\/([^/]+)\/(weights|sampler_weights)\/([^/]+)$/.exec(path);
  if (!m) throw new HttpError(400, `invalid tinker path "${path}"`, 'path');
  return { run: m[1], kind: m[2] as 'weights' | 'sampler_weights', name: m[3] };
}
