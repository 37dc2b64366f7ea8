import type { AuthScheme } from '../../ports/auth.js';
import type { TelemetrySpan } from '../../ports/telemetry.js';
import type { TransportRequest } from '../../ports/transport.js';
import type { CompiledEndpoint } from '../manifest/compile.js';
import type { RegisteredPlugin } from '../plugin.js';
import type { KernelServices } from '../services.js';
import type { CallContext, ResolvedOptions } from './context.js';

/** What a call starts with; the stages fill in the rest. */
export interface CallContextInit {
  services: KernelServices;
  plugin: RegisteredPlugin;
  endpoint: CompiledEndpoint;
  input: Record<string, unknown>;
  options: ResolvedOptions;
  auth: AuthScheme | undefined;
  crossOrigin?: boolean;
  idempotencyKey: string | undefined;
  startedAt: number;
}

/**
 * The context of one call. A class so every context has the same shape from the start (stages set
 * fields later), and so the plugin `bag` is only allocated when a stage uses it: with thousands of
 * calls in flight, an empty Map per call is real memory.
 */
export class PipelineCallContext implements CallContext {
  readonly services: KernelServices;
  readonly plugin: RegisteredPlugin;
  readonly endpoint: CompiledEndpoint;
  input: Record<string, unknown>;
  readonly options: ResolvedOptions;
  readonly auth: AuthScheme | undefined;
  readonly crossOrigin: boolean;
  idempotencyKey: string | undefined;
  attempt = 0;
  replayable = true;
  authRenewed = false;
  request: TransportRequest | undefined = undefined;
  callSpan: TelemetrySpan | undefined = undefined;
  attemptSpan: TelemetrySpan | undefined = undefined;
  startedAt: number;
  rateLimitBucket: string | undefined = undefined;
  readonly extraHeaders: Record<string, string> = {};
  private lazyBag: Map<string | symbol, unknown> | undefined = undefined;

  constructor(init: CallContextInit) {
    this.services = init.services;
    this.plugin = init.plugin;
    this.endpoint = init.endpoint;
    this.input = init.input;
    this.options = init.options;
    this.auth = init.auth;
    this.crossOrigin = init.crossOrigin ?? false;
    this.idempotencyKey = init.idempotencyKey;
    this.startedAt = init.startedAt;
  }

  get bag(): Map<string | symbol, unknown> {
    return (this.lazyBag ??= new Map());
  }
}
