import type { AdapterWeights, ByteModel } from './model/byte-model.js';
import type { OptimizerState } from './model/adam.js';
import type { Gradients } from './model/training.js';
import type { Sequencer } from './sequencer.js';
import { SampleStreamStats } from './stream-stats.js';

export interface SessionRecord {
  session_id: string;
  /** The account of the credential that created the session (see `EmulatorOptions.accounts`). */
  account: string;
  tags: string[];
  user_metadata: Record<string, unknown>;
  sdk_version: string;
  project_id: string | null;
  created_at: string;
  training_run_ids: string[];
  sampler_ids: string[];
  heartbeats: number[];
  modelSeqIds: Set<number>;
  samplingSeqIds: Map<number, string>;
  /** `trace_export` polls answered so far (pending, then ready). */
  traceExportPolls: number;
}

export interface ModelRecord {
  model_id: string;
  session_id: string;
  base_model: string;
  model: ByteModel;
  lora_rank: number;
  train: { mlp: boolean; attn: boolean; unembed: boolean };
  user_metadata: Record<string, unknown> | null;
  adapter: AdapterWeights;
  optimizer: OptimizerState;
  grads: Gradients;
  sequencer: Sequencer;
  /** seq_ids whose work was applied, in order: the exactly-once witness. */
  applied: number[];
  last_request_time: string;
  unloaded: boolean;
  /** Set by `emulator.setRunCorrupted` or chaos `corrupt`: training work on the run fails from then on. */
  corrupted: boolean;
}

export interface CheckpointRecord {
  tinker_path: string;
  /** The account of the session whose model saved it. */
  account: string;
  training_run_id: string;
  checkpoint_id: string;
  checkpoint_type: 'training' | 'sampler';
  time: string;
  size_bytes: number;
  public: boolean;
  expires_at: string | null;
  base_model: string;
  lora_rank: number;
  train: { mlp: boolean; attn: boolean; unembed: boolean };
  adapter: AdapterWeights;
  optimizer?: OptimizerState;
}

/** One entry of `GET /api/v1/audit`. */
export interface AuditEntry {
  timestamp: string;
  event: string;
  model_id?: string;
  tinker_path?: string;
  purpose?: string;
}

/** Metered work, aggregated per hour by `GET /api/v1/billing/usage/events`. */
export interface UsageRecord {
  at: number;
  session_id: string;
  base_model: string;
  type: 'training' | 'sampling_prefill' | 'sampling_sample' | 'checkpoint';
  /** Tokens, or checkpoints for `checkpoint`. */
  amount: number;
}

export interface SamplerRecord {
  sampler_id: string;
  base_model: string;
  model_path: string | null;
  model: ByteModel;
  adapter: AdapterWeights;
}

/** One entry of the request log (`emulator.requestLog()`, `state.requests`). */
export interface LoggedRequest {
  method: string;
  /** Path and query string, as sent (percent-encoding kept). */
  path: string;
  /** The answer's status; 0 when the connection was reset (chaos). */
  status: number;
  /** Request headers, lower-case names (Node's parsing). */
  headers: Record<string, string | string[] | undefined>;
  /**
   * The body as the emulator decoded it: parsed JSON, or a protobuf message as a plain object (byte
   * fields expanded, see docs/emulator.md); undefined without a body or when it could not be decoded.
   */
  body: unknown;
  content_type: string | undefined;
  content_encoding: string | undefined;
  /** Body size on the wire (before decompression). */
  body_bytes: number;
  /** The answer's Content-Type (undefined for empty answers and resets). */
  response_content_type: string | undefined;
  /** The emulator clock's time of the answer. */
  at: number;
}

/** Everything the emulator holds, exposed for tests (`emulator.state`). */
export class EmulatorState {
  readonly sessions = new Map<string, SessionRecord>();
  readonly models = new Map<string, ModelRecord>();
  readonly checkpoints = new Map<string, CheckpointRecord>();
  readonly samplers = new Map<string, SamplerRecord>();
  /** The newest telemetry batches received (at most `maxTelemetryBatches`), oldest first. */
  readonly telemetry: unknown[] = [];
  /** Every telemetry batch received, including those no longer kept. */
  telemetryBatchesReceived = 0;
  /**
   * A client sends a batch per 100 events (four a sample for Elixir-style clients): an emulator left
   * running must not keep them all.
   */
  maxTelemetryBatches = 1_000;
  readonly audit: AuditEntry[] = [];
  /**
   * Metered work summed per hour, session, base model and kind (`at` is the hour's start): what the
   * billing endpoint answers (whole hours only), in one record per key instead of one per request.
   */
  readonly usage = new Map<string, UsageRecord>();
  /** The SSE extension's streams: open, finished, abandoned, tokens sampled (see `SampleStreamStats`). */
  readonly sampleStreams = new SampleStreamStats();
  /** `weights_access_token`s received on load_weights, in order (tests check they arrived). */
  readonly weightsAccessTokens: string[] = [];
  readonly requests: LoggedRequest[] = [];
  /**
   * Bytes of full results being fetched after a `complete_metadata` answer (from the request for the
   * full result until its answer leaves), and the peak so far: what a 0.25 client's
   * `inflight_response_bytes_semaphore_size` bounds.
   */
  resultBytesInFlight = 0;
  peakResultBytesInFlight = 0;
  /** `response_payload_size` of every `complete_metadata` answer, in order. */
  readonly metadataAnswers: number[] = [];
  /**
   * Bounds of the request log, so that an emulator left running (a long training run, a benchmark)
   * does not grow without end: at most this many entries, and bodies of at most this many decoded bytes
   * together (each forward_backward body is kept decoded). The oldest entries go first; the newest is
   * always kept. An entry holds its headers too (about 2 KB with the official client's): 20,000 are
   * about 40 MB, where 100,000 held some 200 MB in a long sampling run.
   */
  maxLoggedRequests = 20_000;
  maxLoggedBodyBytes = 64 * 1024 * 1024;
  /** Decoded body size of each entry of `requests`, in the same order, and their sum. */
  private readonly loggedSizes: number[] = [];
  private loggedBodyBytes = 0;

  /** Keep a telemetry batch, dropping the oldest beyond `maxTelemetryBatches`. */
  keepTelemetry(batch: unknown): void {
    this.telemetryBatchesReceived++;
    this.telemetry.push(batch);
    if (this.telemetry.length > this.maxTelemetryBatches)
      this.telemetry.splice(0, this.telemetry.length - this.maxTelemetryBatches);
  }

  /** Add metered work to its hour's record. */
  meter(at: number, session_id: string, base_model: string, type: UsageRecord['type'], amount: number): void {
    const hour = at - (at % 3_600_000);
    const key = `${hour}|${session_id}|${base_model}|${type}`;
    const record = this.usage.get(key);
    if (record) record.amount += amount;
    else this.usage.set(key, { at: hour, session_id, base_model, type, amount });
  }

  /** Heartbeat timestamps of a session. */
  heartbeats(sessionId: string): number[] {
    return this.sessions.get(sessionId)?.heartbeats ?? [];
  }

  /** The seq_ids applied to a model, in order. */
  appliedSteps(modelId: string): number[] {
    return this.models.get(modelId)?.applied ?? [];
  }

  /** Log a request whose body decoded to `bodyBytes` bytes (decompressed; the wire size by default). */
  log(entry: LoggedRequest, bodyBytes = entry.body_bytes): void {
    this.requests.push(entry);
    this.loggedSizes.push(bodyBytes);
    this.loggedBodyBytes += bodyBytes;
    while (
      this.requests.length > 1 &&
      (this.requests.length > this.maxLoggedRequests || this.loggedBodyBytes > this.maxLoggedBodyBytes)
    ) {
      this.requests.shift();
      // One size per logged request, pushed together.
      const size = this.loggedSizes.shift();
      if (size !== undefined) this.loggedBodyBytes -= size;
    }
  }
}
