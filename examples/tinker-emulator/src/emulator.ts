import type { AddressInfo, Socket } from 'node:net';
import { JwtIssuer } from './auth.js';
import { Chaos, chaosOrEnv } from './chaos.js';
import { EmulatorContext } from './context.js';
import { FutureStore } from './futures.js';
import {
  checkFlags,
  CLIENT_CONFIG_DEFAULTS,
  DYNAMIC_CONFIG_DEFAULTS,
  type ClientConfig,
  type DynamicConfig,
} from './protocol/client-config.js';
import { MAX_SEED } from './model/prng.js';
import { DEFAULT_LAYOUT, type ProtobufResultLayout } from './protocol/results.js';
import { createServer } from './server.js';
import { responseCodings, type ResponseCoding } from './response-compression.js';
import { oneOf, withDefaults } from './defaults.js';
import { EmulatorState, type LoggedRequest } from './state.js';
import { MAX_TIMER_MS, realTimer, TimerSet } from './timers.js';

/** The clock the emulator reads and sets its timers on (a Pristine `Clock` or `FakeClock` fits). */
export interface EmulatorClock {
  now(): number;
  /** Run `fn` once after `ms`; returns a cancel function. */
  after(ms: number, fn: () => void): () => void;
}

export interface EmulatorOptions {
  port?: number;
  /** Loopback by default. */
  host?: string;
  seed?: number;
  /** Seeds only the chaos dice (default: `seed`), so fault patterns vary while the model stays the same. */
  chaosSeed?: number;
  /** Chaos spec (see docs/emulator.md); defaults to env TINKEX_EMULATOR_CHAOS, else none. */
  chaos?: string;
  /** How long a delivered result stays retrievable. */
  futureTtlMs?: number;
  /** Results above this size answer `complete_metadata` to clients that allow it. */
  metadataThresholdBytes?: number;
  /** Multiplies every learning_rate so the tiny model trains at real-world rates. Default 1000. */
  learningRateScale?: number;
  /**
   * Adds a zero-filled `padding.bin` of this many bytes to every checkpoint archive (streamed, never
   * held in memory), to measure large downloads. Default 0.
   */
  archivePaddingBytes?: number;
  /** Flags answered by `client/config` (defaults: `CLIENT_CONFIG_DEFAULTS`). */
  clientConfig?: Partial<ClientConfig>;
  /** Answered by `client/dynamic_config` (default `{refresh_interval_sec: 300}`). */
  dynamicConfig?: Partial<DynamicConfig>;
  /** Act as a server that predates `client/config` (404 there, JSON bodies only). Default false. */
  legacyJson?: boolean;
  /** How long `retrieve_future` holds a poll open while the result is not ready. Default 1,000 ms. */
  longPollMs?: number;
  /**
   * How long a full result fetched after a `complete_metadata` answer is held before it is sent (a slow
   * download), so clients' in-flight result byte budgets show in `state.peakResultBytesInFlight`. Default 0.
   */
  resultHoldMs?: number;
  /**
   * API keys of distinct accounts (key → account name). Every other `tml-…` key belongs to the default
   * account (`emulator-user`). A checkpoint belongs to the account of the session that made it:
   * `weights_info` and `load_weights` of another account's checkpoint answer 403 unless it is public or
   * (load_weights) its `weights_access_token` is a credential of the owner.
   */
  accounts?: Record<string, string>;
  /** Lifetime of the JWTs `auth/token` issues. Default 3,600 s. */
  jwtTtlSeconds?: number;
  /**
   * Layout of protobuf forward/backward results: one ArrayRecord (default) or one per datum, float32
   * (default) or bfloat16 floats; to exercise clients' decoders.
   */
  protobufResults?: Partial<ProtobufResultLayout>;
  /** `trace_export` answers `pending` this many times per session before `ready`. Default 1. */
  traceExportPendingPolls?: number;
  /**
   * How long a training request held for a missing predecessor seq_id waits before the gap is passed
   * over (a client burns the seq_id of a submission that failed for good). Default 10 000 ms.
   */
  sequenceGapMs?: number;
  /**
   * Bound on the request bodies the request log keeps (decoded bytes, oldest dropped first), so an
   * emulator left running does not grow without end. Default 64 MiB.
   */
  requestLogBytes?: number;
  /**
   * Compress answers as a CDN or an nginx in front of the service would (the real service does not):
   * `true` prefers zstd, br, gzip, deflate; a list names the emulator's order. Each answer with a body
   * gets the first listed coding the request's `Accept-Encoding` accepts and this Node can write (zstd:
   * Node ≥ 22.15); none: uncompressed. Default off.
   */
  compressResponses?: boolean | readonly ResponseCoding[];
  /** Injected time source, for tests (`clock` wins when both are given). */
  now?: () => number;
  /** Injected clock with timers, for tests: long polls, result holds, chaos latency and seq-id gaps wait on it. */
  clock?: EmulatorClock;
}

export interface RunningEmulator {
  url: string;
  state: EmulatorState;
  /** Change the chaos spec while running (e.g. `5xx=1;scope=training` for an outage, `''` to end it). */
  setChaos(spec: string | undefined): void;
  /** Every request so far, oldest first (copies; see `LoggedRequest` and docs/emulator.md). */
  requestLog(): LoggedRequest[];
  /** Change `client/config` flags for later requests. */
  setClientConfig(flags: Partial<ClientConfig>): void;
  /** Change `client/dynamic_config` for later requests. */
  setDynamicConfig(config: Partial<DynamicConfig>): void;
  /**
   * Mark a training run corrupted (or healthy again): `GET training_runs/{id}` reports `corrupted: true`
   * and its training work fails (see docs/emulator.md). Throws for an unknown run.
   */
  setRunCorrupted(runId: string, corrupted?: boolean): void;
  /** While paused, training, sampling and future polls answer 402 (the billing pause of 0.20+ clients). */
  setBillingPaused(paused: boolean): void;
  /** A JWT as `auth/token` would issue it; `ttlSeconds` may be negative (expired) or null (no `exp`). */
  issueJwt(ttlSeconds?: number | null, account?: string): Promise<string>;
  /** Stops listening, releases held polls and drops every connection. */
  close(): Promise<void>;
}

/** An integer option within bounds, else a RangeError naming it. */
function integerOption(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
  unit = '',
): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max)
    throw new RangeError(`${name} must be an integer from ${min} to ${max}${unit}, got ${value}`);
  return value;
}

/** A duration the emulator waits on a timer: refused when a timer would not wait it. */
const timerMs = (name: string, value: number | undefined, fallback: number) =>
  integerOption(name, value, fallback, 0, MAX_TIMER_MS, ' ms');

/** Start a Tinker-compatible server with a tiny real model. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const seed = integerOption('seed', options.seed, 0, 0, MAX_SEED);
  const chaosSeed = integerOption('chaosSeed', options.chaosSeed, seed, 0, MAX_SEED);
  // Negative is allowed: tests issue tokens that are expired when issued.
  const jwtTtlSeconds = integerOption(
    'jwtTtlSeconds',
    options.jwtTtlSeconds,
    3600,
    Number.MIN_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER,
  );
  const longPollMs = timerMs('longPollMs', options.longPollMs, 1000);
  const resultHoldMs = timerMs('resultHoldMs', options.resultHoldMs, 0);
  const sequenceGapMs = timerMs('sequenceGapMs', options.sequenceGapMs, 10_000);
  const clock = options.clock;
  const now = clock ? () => clock.now() : (options.now ?? Date.now);
  const state = new EmulatorState();
  if (options.requestLogBytes !== undefined) {
    if (!Number.isSafeInteger(options.requestLogBytes) || options.requestLogBytes < 0)
      throw new RangeError(`requestLogBytes must be a non-negative integer, got ${options.requestLogBytes}`);
    state.maxLoggedBodyBytes = options.requestLogBytes;
  }
  let url = '';
  const clientConfig = withDefaults(
    CLIENT_CONFIG_DEFAULTS,
    checkFlags(options.clientConfig ?? {}, CLIENT_CONFIG_DEFAULTS),
  );
  const dynamicConfig = withDefaults(
    DYNAMIC_CONFIG_DEFAULTS,
    checkFlags(options.dynamicConfig ?? {}, DYNAMIC_CONFIG_DEFAULTS),
  );
  const layout = withDefaults(DEFAULT_LAYOUT, options.protobufResults);
  oneOf('protobufResults.records', layout.records, ['one', 'per-datum']);
  oneOf('protobufResults.float', layout.float, ['float32', 'bfloat16']);
  const jwt = new JwtIssuer(now, jwtTtlSeconds);
  const ctx = new EmulatorContext(
    state,
    new FutureStore(now, options.futureTtlMs ?? 5 * 60_000),
    new Chaos(chaosOrEnv(options.chaos), chaosSeed),
    seed,
    now,
    () => url,
    options.metadataThresholdBytes ?? 4 * 1024 * 1024,
    options.learningRateScale ?? 1000,
    options.archivePaddingBytes ?? 0,
    {
      clientConfig,
      dynamicConfig,
      legacyJson: options.legacyJson ?? false,
      longPollMs,
      resultHoldMs,
      jwt,
      accounts: new Map(Object.entries(options.accounts ?? {})),
      resultLayout: layout,
      traceExportPendingPolls: options.traceExportPendingPolls ?? 1,
      billingPaused: false,
      timers: new TimerSet(clock ? (ms, fn) => clock.after(ms, fn) : realTimer),
    },
  );
  ctx.sequenceGapMs = sequenceGapMs;
  const server = createServer(ctx, responseCodings(options.compressResponses));
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1', backlog: 4096 }, resolve);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  url = `http://${host}:${address.port}`;
  return {
    url,
    state,
    setChaos: (spec) => ctx.chaos.configure(spec),
    requestLog: () => state.requests.map((entry) => ({ ...entry, headers: { ...entry.headers } })),
    setClientConfig: (flags) => Object.assign(clientConfig, checkFlags(flags, CLIENT_CONFIG_DEFAULTS)),
    setDynamicConfig: (config) => Object.assign(dynamicConfig, checkFlags(config, DYNAMIC_CONFIG_DEFAULTS)),
    issueJwt: (ttlSeconds, account) => jwt.issue(ttlSeconds, account),
    setRunCorrupted: (runId, corrupted = true) => {
      const model = state.models.get(runId);
      if (!model) throw new Error(`setRunCorrupted: no training run ${runId}`);
      model.corrupted = corrupted;
    },
    setBillingPaused: (paused) => {
      ctx.protocol.billingPaused = paused;
    },
    close: () =>
      new Promise<void>((resolve) => {
        ctx.futures.releaseAll();
        ctx.protocol.timers.close();
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      }),
  };
}
