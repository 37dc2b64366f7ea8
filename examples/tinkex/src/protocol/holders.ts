import { restEndpoints } from '../manifest/rest.js';
import type { TinkerProtocol } from './tinker-protocol.js';

/** Calls of the session-less holder (tinker-wire-0.25.md §1): every REST call, capabilities, weights_info. */
const SESSIONLESS: ReadonlySet<string> = new Set([
  ...restEndpoints.map((endpoint) => endpoint.id),
  'get_server_capabilities',
  'weights_info',
  'healthz',
]);

/**
 * The two "holders" of a ServiceClient, as the official 0.25 client keeps them: the sessionful one
 * (session, training, sampling, futures, heartbeats, telemetry) and the session-less one (REST calls,
 * `get_server_capabilities`, `weights_info`). Each does its own start-up handshake on its first call
 * (`client/config`, `auth/token` in JWT mode, `client/dynamic_config`) and keeps its own JWT; only the
 * sessionful one refreshes the dynamic config.
 */
export class TinkerHolders {
  constructor(
    readonly session: TinkerProtocol,
    readonly rest: TinkerProtocol,
  ) {}

  /**
   * The holder a call belongs to, by endpoint. The handshake endpoints serve both holders: each
   * holder's own calls name it with the per-call `auth` option (`holderName`).
   */
  of(endpointId: string): TinkerProtocol {
    return SESSIONLESS.has(endpointId) ? this.rest : this.session;
  }

  /** The name of `holder`'s auth scheme in the plugin (`session` or `rest`). */
  holderName(holder: TinkerProtocol): 'session' | 'rest' {
    return holder === this.rest ? 'rest' : 'session';
  }

  /** Resolves once neither holder has a JWT refresh in flight (never rejects). */
  async settled(): Promise<void> {
    await Promise.all([this.session.settled(), this.rest.settled()]);
  }

  close(): void {
    this.session.close();
    this.rest.close();
    // One credential source serves both.
    this.session.credential.close();
  }
}
