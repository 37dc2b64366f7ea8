import type { AuthScheme } from '../../ports/auth.js';
import type { TelemetrySpan } from '../../ports/telemetry.js';
import type { TransportRequest, TransportResponse } from '../../ports/transport.js';
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
 * calls in flight, an empty Map per call is real memory (`addedHeaders` likewise).
 */
export class PipelineCallContext implements CallContext {
  // Declared here and set in the constructor, not initialized here: initializers in the class body are a
  // function of their own that V8 may compile on its own in a burst (see APIFuture).
  declare readonly services: KernelServices;
  declare readonly plugin: RegisteredPlugin;
  declare readonly endpoint: CompiledEndpoint;
  declare input: Record<string, unknown>;
  declare readonly options: ResolvedOptions;
  declare readonly auth: AuthScheme | undefined;
  declare readonly crossOrigin: boolean;
  declare idempotencyKey: string | undefined;
  declare attempt: number;
  declare replayable: boolean;
  declare authRenewed: boolean;
  declare request: TransportRequest | undefined;
  declare transportResponse: TransportResponse | undefined;
  declare callSpan: TelemetrySpan | undefined;
  declare attemptSpan: TelemetrySpan | undefined;
  declare startedAt: number;
  declare rateLimitBucket: string | undefined;
  declare private lazyHeaders: Record<string, string> | undefined;
  declare private lazyBag: Map<string | symbol, unknown> | undefined;

  constructor(init: CallContextInit) {
    this.services = init.services;
    this.plugin = init.plugin;
    this.endpoint = init.endpoint;
    this.input = init.input;
    this.options = init.options;
    this.auth = init.auth;
    this.crossOrigin = init.crossOrigin ?? false;
    this.idempotencyKey = init.idempotencyKey;
    this.attempt = 0;
    this.replayable = true;
    this.authRenewed = false;
    this.request = undefined;
    this.transportResponse = undefined;
    this.callSpan = undefined;
    this.attemptSpan = undefined;
    this.startedAt = init.startedAt;
    this.rateLimitBucket = undefined;
    this.lazyHeaders = undefined;
    this.lazyBag = undefined;
  }

  get addedHeaders(): Readonly<Record<string, string>> | undefined {
    return this.lazyHeaders;
  }

  /** The object is made by the first header a stage adds: most calls add none. */
  setHeader(name: string, value: string): void {
    (this.lazyHeaders ??= {})[name] = value;
  }

  get bag(): Map<string | symbol, unknown> {
    return (this.lazyBag ??= new Map());
  }
}
