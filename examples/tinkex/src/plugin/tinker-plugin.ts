import { definePlugin, Ports, UndiciTransport, type CallContext } from 'pristine-kernel';
import { cloudflareAccessValues, type ResolvedConfig } from '../config.js';
import { tinkerManifest } from '../manifest.js';
import { VERSION } from '../version.js';
import { estimateModelInputBytes } from '../training/chunking.js';
import type { ModelInputWire } from '../types/model-input.js';
import { tinkerPollProtocol } from './poll-protocol.js';
import { samplingBucket } from './sampling-bucket.js';
import { tinkerSessionProtocol } from './session-protocol.js';
import { negotiateStage } from './negotiate-stage.js';
import { TinkerAuth } from './tinker-auth.js';
import type { TinkerHolders } from '../protocol/holders.js';
import { PROTOCOL_VERSION } from '../protocol/flags.js';
import { HANDSHAKE_ENDPOINTS } from '../protocol/tinker-protocol.js';
import { requestPayloadBytes } from '../proto/proto-size.js';
import type { ForwardBackwardRequest } from '../proto/gen/tinker_public_pb.js';
import { sessionGone } from './session-gone.js';

/**
 * The Python SDK's 5 MiB budget of dispatched prompts. Its 400 submissions in flight is the default of
 * the `sample_dispatch_concurrency` option.
 */
export const SAMPLING_MAX_DISPATCH_BYTES = 5 * 1024 * 1024;

/** `Accept-Encoding` of the official client 0.25 (tinker-wire-0.25.md §1, §3) and of 0.7.0 (§2 there). */
export const ACCEPT_ENCODING_V025 = 'gzip, deflate, zstd';
export const ACCEPT_ENCODING_LEGACY = 'gzip, deflate';

/**
 * Tinker as a Pristine plugin: the manifest plus the protocol contributions (futures, sessions, headers,
 * auth, retry policies, sampling limits, the 0.25 negotiation). No HTTP, retry or polling code lives
 * here; what the server's flags change is read from `protocol` when a limit is first needed.
 */
export function tinkerPlugin(config: ResolvedConfig, holders: TinkerHolders) {
  // Futures, sampling and forward/backward belong to the sessionful holder: its flags size their limits.
  const protocol = holders.session;
  const v025 = () => protocol.mode === 'v025';
  return definePlugin({
    name: 'tinker',
    version: VERSION,
    manifest: tinkerManifest,
    defaults: {
      baseUrl: config.base_url,
      timeoutMs: config.timeout_ms,
      maxRetries: config.max_retries,
      // Breakers are opt-in for Tinker (as in tinkex): a queue of retries is safer than failing fast.
      breaker: config.circuit_breaker,
      logLevelEnv: 'TINKER_LOG',
      query: config.default_query,
    },
    // `default` follows the endpoint's holder; `session` / `rest` name one (its handshake calls).
    auth: {
      default: new TinkerAuth(holders, config.api_key),
      session: new TinkerAuth(holders, config.api_key, holders.session),
      rest: new TinkerAuth(holders, config.api_key, holders.rest),
    },
    // Like every default header, the kernel sends these only to the Tinker origin, never to a signed URL.
    secrets: cloudflareAccessValues(config.default_headers),
    stages: [{ stage: negotiateStage(holders), placement: { after: 'validate' } }],
    // A 404 on a call of this session after the server restarted says so, and how to get back.
    errorMapper: sessionGone,
    headers: {
      userAgent: `Tinkex/TypeScript ${VERSION}`,
      platform: {
        packageVersion: 'X-Stainless-Package-Version',
        os: 'X-Stainless-OS',
        arch: 'X-Stainless-Arch',
        runtime: 'X-Stainless-Runtime',
        runtimeVersion: 'X-Stainless-Runtime-Version',
        language: 'X-Stainless-Lang',
      },
      static: config.default_headers,
      retryCount: 'x-stainless-retry-count',
      // The openai/stainless SDKs' key: this prefix and the kernel's random (version 4) UUID.
      idempotency: { header: 'X-Idempotency-Key', prefix: 'stainless-node-retry-' },
      // Per call, so built by assignment (no spreads).
      dynamic: (context: CallContext) => {
        const id = context.endpoint.id;
        const headers: Record<string, string> = {};
        // Servers resolve feature flags from the protocol version; Tinkex's own stays in the User-Agent.
        const holder = context.auth instanceof TinkerAuth ? context.auth.holderFor(id) : holders.of(id);
        const version = HANDSHAKE_ENDPOINTS.has(id) ? PROTOCOL_VERSION : holder.versionHeader;
        if (version) headers['X-Stainless-Package-Version'] = version;
        // What the official client's httpx offers: 0.25 depends on zstandard, 0.7.0 had httpx's default.
        headers['Accept-Encoding'] = version ? ACCEPT_ENCODING_V025 : ACCEPT_ENCODING_LEGACY;
        headers['x-stainless-read-timeout'] = String(context.options.timeoutMs / 1000);
        if (id === 'asample') headers['X-Tinker-Sampling-Backpressure'] = '1';
        // The kernel sends an empty body without a Content-Type; the Python SDK sends its default one on a
        // POST or DELETE, and none on a GET (tinker-wire-0.25.md §3).
        if (context.endpoint.bodiless && context.endpoint.method !== 'GET')
          headers['Content-Type'] = 'application/json';
        return headers;
      },
    },
    retryPolicies: {
      default: { maxRetries: config.max_retries, initialDelayMs: 500, maxDelayMs: 10_000 },
      none: { maxRetries: 0 },
      // Elixir tinkex: one retry, 5 s timeout. A dead endpoint costs a batch ≤ ~11 s, never a training run.
      // Its retry lines at debug: after a CLI error, "retrying telemetry" is not what the user waits on.
      telemetry: { maxRetries: 1, initialDelayMs: 500, maxDelayMs: 1_000, logLevel: 'debug' },
      // Publishing an already-public checkpoint is a 409 that no retry can fix.
      publish: {
        maxRetries: config.max_retries,
        initialDelayMs: 500,
        maxDelayMs: 10_000,
        fatalStatuses: [409],
      },
    },
    pollProtocols: { tinker: tinkerPollProtocol(protocol, { errorBackoffMs: config.poll_backoff }) },
    sessionProtocols: { tinker: tinkerSessionProtocol(config.heartbeat_interval_ms, () => protocol.logger) },
    // The Python SDK's dispatch-bytes estimate: 10 bytes a token, an image its data length.
    weights: {
      promptBytes: (context) => estimateModelInputBytes(context.input.prompt as ModelInputWire),
      // A pre-encoded request carries its estimate; a message object (kernel.submit by hand) is measured.
      fwdbwdBytes: (context) =>
        typeof context.input.payloadBytes === 'number'
          ? context.input.payloadBytes
          : requestPayloadBytes(context.input as unknown as ForwardBackwardRequest),
    },
    // Getters: a semaphore is sized when first used, after negotiation, from the server's flags.
    concurrency: {
      sampling: {
        maxConcurrent: config.sample_dispatch_concurrency,
        get maxWeight() {
          return v025() ? protocol.flags.sample_dispatch_bytes_semaphore_size : SAMPLING_MAX_DISPATCH_BYTES;
        },
        // After a sampler's 429 (its backoff bucket), fewer and heavier submissions for a while.
        throttled: {
          windowMs: config.sample_throttle.window_ms,
          maxConcurrent: config.sample_throttle.concurrency,
          weightFactor: config.sample_throttle.bytes_factor,
          bucket: (context) => samplingBucket(config, String(context.input.sampling_session_id)),
        },
      },
      fwdbwd: {
        get maxWeight() {
          return protocol.flags.fwdbwd_dispatch_bytes_semaphore_size;
        },
      },
    },
    // undici measured 3-4x faster than got on the polling-heavy Tinker traffic (docs/performance.md).
    // Users can still swap it with kernel.register(Ports.Transport, ...), which takes precedence.
    register(container) {
      let transport: UndiciTransport | undefined;
      container.register(Ports.Transport, { useFactory: () => (transport ??= new UndiciTransport()) });
    },
  });
}
