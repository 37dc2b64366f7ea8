import {
  ClientClosedError,
  everyWhileReachable,
  NotFoundError,
  Secret,
  type Clock,
  type Logger,
} from 'pristine-kernel';
import { CredentialSource } from './credential.js';
import { DEFAULT_FLAGS, PROTOCOL_VERSION, resolveFlags, type ClientFlags } from './flags.js';
import { expiryMs, MIN_REFRESH_FLOOR_MS, refreshDelayMs, refreshGapMs, REFRESH_RETRY_MS } from './jwt.js';

/** `v025`: the protocol of the official client 0.25.0. `legacy`: the JSON protocol of 0.7.0–0.24.1. */
export type ProtocolMode = 'v025' | 'legacy';

/** Endpoints of the start-up handshake: they run before the mode is known and never wait for it. */
export const HANDSHAKE_ENDPOINTS: ReadonlySet<string> = new Set([
  'get_client_config',
  'auth_token',
  'get_dynamic_config',
]);

/** What the protocol needs from the kernel: plain calls, the clock, the logger and the secret registry. */
export interface ProtocolHost {
  call(endpointId: string, input: unknown, signal?: AbortSignal): Promise<unknown>;
  readonly clock: Clock;
  readonly logger: Logger;
  addSecret(value: string): void;
  /** Forget a secret this holder added (a JWT long expired), so rotation does not grow the registry. */
  removeSecret(value: string): void;
}

/** A replaced JWT is kept as a secret until this long after its expiry. */
export const RETIRED_SECRET_MS = 300_000;

interface RetiredJwt {
  token: Secret;
  expiresAt: number;
}

/** A moment on both of the kernel clock's readings. */
interface Stamp {
  wall: number;
  mono: number;
}

const stamp = (clock: Clock): Stamp => ({ wall: clock.now(), mono: clock.monotonic() });

/**
 * Time since `at`, for pacing exchanges: the larger of the two clocks' answers. A wall clock stepped
 * back (the wall's answer negative) must not hold a refresh back for as long as the step; a machine
 * that slept (the monotonic clock stops, the token's `exp` does not) or a step forward may only make a
 * refresh due sooner: one exchange more, never a stall.
 */
const since = (clock: Clock, at: Stamp): number =>
  Math.max(clock.now() - at.wall, clock.monotonic() - at.mono);

/** The JWT a holder sends, when it expires (wall clock, as `exp`) and when it was issued. */
interface HeldJwt {
  token: Secret;
  expiresAt?: number;
  issued: Stamp;
}

export interface TinkerProtocolOptions {
  /** `auto` (default) asks `client/config`; the others skip the question. */
  protocol?: 'auto' | ProtocolMode;
  /** Re-ask `client/dynamic_config` periodically (the sessionful holder does; the session-less one not). */
  refreshDynamicConfig?: boolean;
}

/**
 * Tinker's protocol negotiation for one holder (see `TinkerHolders`), as data and state the plugin's
 * stage, auth scheme and poll protocol read: at first use `client/config` (404 ⇒ legacy JSON), then the JWT exchange when the server asks
 * for it, then `client/dynamic_config`, refreshed in the background. Timers run on the kernel's Clock
 * and never keep the process alive.
 */
export class TinkerProtocol {
  mode: ProtocolMode | undefined;
  flags: ClientFlags = { ...DEFAULT_FLAGS };
  refreshIntervalSec = 300;
  private host?: ProtocolHost;
  private handshake?: Promise<void>;
  private jwt?: HeldJwt;
  private refreshing?: Promise<HeldJwt>;
  /** When the last exchange failed: a due refresh waits its gap from then too. */
  private refreshFailedAt?: Stamp;
  /** JWTs this holder replaced, oldest first, until `forgetRetired` drops them. */
  private readonly retired: RetiredJwt[] = [];
  private cancelJwtTimer?: () => void;
  private cancelDynamicTimer?: () => void;
  private closed = false;
  /** Aborts the handshake's own calls on close: no caller owns them, and a dead server would hold close. */
  private readonly stopping = new AbortController();

  constructor(
    readonly credential: CredentialSource,
    private readonly options: TinkerProtocolOptions = {},
  ) {}

  attach(host: ProtocolHost): void {
    this.host = host;
  }

  get logger(): Logger {
    return this.requireHost().logger;
  }

  /** `sdk_version` and X-Stainless-Package-Version: the protocol version, once 0.25 is (being) spoken. */
  get versionHeader(): string | undefined {
    return this.mode === 'legacy' ? undefined : PROTOCOL_VERSION;
  }

  /** Negotiate once (a failure is not cached: the next call asks again). */
  ensure(): Promise<void> {
    if (this.mode) return Promise.resolve();
    this.handshake ??= this.negotiate().catch((error: unknown) => {
      this.handshake = undefined;
      // close() stopped it (its signal, or the credential command it waited on): the calls waiting on
      // the handshake were not aborted by their callers, their client was closed.
      if (this.closed) throw new ClientClosedError(undefined, { cause: error });
      throw error;
    });
    return this.handshake;
  }

  private async negotiate(): Promise<void> {
    const host = this.requireHost();
    const forced = this.options.protocol ?? 'auto';
    if (forced === 'legacy') {
      this.mode = 'legacy';
      return;
    }
    if (forced === 'auto') {
      let answer: unknown;
      try {
        answer = await host.call(
          'get_client_config',
          { sdk_version: PROTOCOL_VERSION },
          this.stopping.signal,
        );
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        host.logger.debug('client/config answered 404: speaking the JSON protocol of 0.7.0–0.24.1');
        this.mode = 'legacy';
        return;
      }
      this.flags = resolveFlags((answer ?? {}) as Record<string, unknown>);
    }
    if (this.flags.pjwt_auth_enabled) await this.exchange();
    await this.refreshDynamicConfig();
    this.mode = 'v025';
    host.logger.debug('speaking Tinker protocol 0.25.0', { flags: this.flags });
  }

  /**
   * `credentialFor`'s answer when it needs no waiting (no command to run, no JWT refresh due), else
   * undefined. Every request asks: the common case then costs no promise.
   */
  credentialNow(endpointId: string): string | undefined {
    if (endpointId === 'get_client_config') return this.credential.peek();
    if (endpointId === 'auth_token')
      return this.credential.peek(this.flags.credential_default_source === 'credential_cmd');
    const jwt = this.jwt;
    if (!jwt) return this.credential.peek();
    if (this.jwtRefreshDue(jwt)) return undefined;
    return jwt.token.reveal();
  }

  /** The `X-API-Key` value for a call: the credential on the handshake, the JWT elsewhere when on. */
  async credentialFor(endpointId: string): Promise<string> {
    if (endpointId === 'get_client_config') return this.credential.get();
    if (endpointId === 'auth_token')
      return this.credential.get(this.flags.credential_default_source === 'credential_cmd');
    const jwt = this.jwt;
    if (!jwt) return this.credential.get();
    // On demand (Python SDK: ≤ 60 s left): refresh first, but at most once per gap (`refreshGapMs`), and keep the old
    // token if it fails (the server answers 401 if it really expired).
    if (!this.jwtRefreshDue(jwt)) return jwt.token.reveal();
    // A failed exchange changed nothing: the token at hand is still `jwt`.
    return (await this.refreshJwt().catch(() => jwt)).token.reveal();
  }

  /**
   * The server refused `sent` with a 401 (`AuthScheme.renew`): a JWT that lapsed in flight, or a clock
   * behind the server's. A newer JWT already at hand is used as is; else the key is exchanged anew, but
   * not for a token issued under a second ago that should still be valid (a server refusing fresh
   * tokens would only get more exchanges). A credential command is run again; a key cannot be renewed.
   */
  async renewCredential(endpointId: string, sent: string | undefined): Promise<boolean> {
    if (this.closed || sent === undefined) return false;
    const jwt = this.jwt;
    if (!jwt || endpointId === 'get_client_config' || endpointId === 'auth_token')
      return this.credential.renew(sent);
    if (jwt.token.reveal() !== sent) return true;
    const { clock } = this.requireHost();
    // A token that lives under a second (`--jwt-ttl 1`) may lapse in flight: renew it when its own exp
    // says so. One expired on arrival (exp ≤ issue) is not: its successor would be expired too.
    const { expiresAt, issued } = jwt;
    const lapsing =
      expiresAt !== undefined && expiresAt > issued.wall && clock.now() >= expiresAt - MIN_REFRESH_FLOOR_MS;
    if (since(clock, issued) < MIN_REFRESH_FLOOR_MS && !lapsing) return false;
    // An exchange that failed under a second ago would fail again: the 401 stands (no exchange per 401).
    const failedAt = this.refreshFailedAt;
    if (failedAt !== undefined && since(clock, failedAt) < MIN_REFRESH_FLOOR_MS) return false;
    const current = await this.refreshJwt().catch(() => jwt);
    return current.token.reveal() !== sent;
  }

  private jwtRefreshDue(jwt: HeldJwt): boolean {
    const { clock } = this.requireHost();
    if (jwt.expiresAt === undefined || clock.now() < jwt.expiresAt - 60_000) return false;
    // Paced from the last attempt, failed ones included: else, once a refresh has failed (the auth
    // service down), every request would run the exchange (and a credential command) again.
    const gap = refreshGapMs(jwt.expiresAt - jwt.issued.wall);
    const failedAt = this.refreshFailedAt;
    return since(clock, jwt.issued) >= gap && (failedAt === undefined || since(clock, failedAt) >= gap);
  }

  /** The JWT's claims for `RestClient.whoami()`, when JWT exchange is on (or the key is a JWT). */
  currentJwt(): string | undefined {
    return this.jwt?.token.reveal();
  }

  /** Exchanges the credential for a JWT, which it holds (and returns) from then on. */
  private async exchange(): Promise<HeldJwt> {
    const host = this.requireHost();
    const { jwt } = (await host.call('auth_token', {}, this.stopping.signal)) as { jwt: string };
    host.addSecret(jwt);
    const issued = stamp(host.clock);
    const now = issued.wall;
    const expiresAt = expiryMs(jwt);
    const replaced = this.jwt;
    if (replaced?.expiresAt !== undefined) this.retired.push(replaced as RetiredJwt);
    const held = { token: new Secret(jwt), expiresAt, issued };
    this.jwt = held;
    this.refreshFailedAt = undefined;
    this.forgetRetired(now);
    this.scheduleJwtRefresh(refreshDelayMs(expiresAt, now));
    return held;
  }

  /**
   * Replaced tokens stay secrets until RETIRED_SECRET_MS past their expiry, when nothing in flight still
   * carries them and they no longer authenticate anything; then the kernel's registry forgets them, or
   * a client refreshing every 10 s for days kept (and scrubbed every log line for) each one. Another
   * holder's identical token (same claims, same second) expires at the same time, so is not live either.
   */
  private forgetRetired(now: number): void {
    for (let oldest = this.retired.at(0); oldest; oldest = this.retired.at(0)) {
      if (now < oldest.expiresAt + RETIRED_SECRET_MS) return;
      this.retired.shift();
      this.requireHost().removeSecret(oldest.token.reveal());
    }
  }

  private refreshJwt(): Promise<HeldJwt> {
    this.refreshing ??= this.exchange()
      .catch((error: unknown) => {
        const host = this.requireHost();
        this.refreshFailedAt = stamp(host.clock);
        // The background refresh tries again in 60 s; a request tries sooner once the token has under a
        // minute left (at most once per refresh gap), or after a 401.
        host.logger.warn('JWT refresh failed; keeping the current token and trying again later', {
          error: String(error),
          background_retry_ms: REFRESH_RETRY_MS,
        });
        this.scheduleJwtRefresh(REFRESH_RETRY_MS);
        throw error;
      })
      .finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private scheduleJwtRefresh(delayMs: number): void {
    this.cancelJwtTimer?.();
    this.cancelJwtTimer = this.once(delayMs, (protocol) => void protocol.refreshJwt().catch(() => undefined));
  }

  /** `client/dynamic_config`: 404 or a failure keeps the last good value; re-asked every max(interval, 10 s). */
  private async refreshDynamicConfig(): Promise<void> {
    const host = this.requireHost();
    try {
      const answer = (await host.call(
        'get_dynamic_config',
        { sdk_version: PROTOCOL_VERSION },
        this.stopping.signal,
      )) as {
        refresh_interval_sec?: number;
      };
      const interval = answer?.refresh_interval_sec;
      if (typeof interval === 'number' && Number.isFinite(interval) && interval > 0)
        this.refreshIntervalSec = interval;
    } catch (error) {
      if (!(error instanceof NotFoundError))
        host.logger.debug('dynamic config refresh failed', { error: String(error) });
    }
    this.cancelDynamicTimer?.();
    if (this.options.refreshDynamicConfig === false) return;
    this.cancelDynamicTimer = this.once(Math.max(this.refreshIntervalSec, 10) * 1000, (protocol) => {
      void protocol.refreshDynamicConfig();
    });
  }

  /**
   * A one-shot timer that keeps neither the process nor this holder alive (`every`, cancelled on its
   * first run; holding the holder weakly, so a client never closed is collected with it).
   */
  private once(ms: number, fn: (protocol: TinkerProtocol) => void): () => void {
    if (this.closed) return () => {};
    const cancel = everyWhileReachable(this.requireHost().clock, ms, this, (protocol) => {
      cancel();
      if (!protocol.closed) fn(protocol);
    });
    return cancel;
  }

  /** Resolves once no JWT refresh is in flight (for shutdown and tests; never rejects). */
  async settled(): Promise<void> {
    await this.refreshing?.catch(() => undefined);
  }

  close(): void {
    this.closed = true;
    this.stopping.abort();
    this.cancelJwtTimer?.();
    this.cancelDynamicTimer?.();
  }

  private requireHost(): ProtocolHost {
    if (!this.host) throw new Error('TinkerProtocol used before its kernel was attached');
    return this.host;
  }
}
