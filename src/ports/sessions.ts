import type { PortToken } from './port-token.js';
/**
 * A plugin's session protocol: how to open a session and keep it alive.
 *
 * `TCreateInput` is what `SessionManager.open` sends to the create endpoint, `C` that endpoint's decoded
 * response body that `sessionId` and `onCreated` receive, `H` the heartbeat endpoint's input. A protocol
 * written in `definePlugin`'s `sessionProtocols` gets all three from the manifest.
 */
export interface SessionProtocol<TCreateInput = unknown, C = unknown, H = unknown> {
  createEndpoint: string;
  /** Read the session id from the create response. */
  sessionId(createResponse: C): string;
  /** Called once with the create response (e.g. to log messages the server attached to it). */
  onCreated?(createResponse: C): void;
  heartbeatEndpoint: string;
  heartbeatInput(sessionId: string): H;
  /** Heartbeat cadence (ms). */
  intervalMs: number;
  /** Per-heartbeat timeout (ms). Heartbeats are never retried. */
  heartbeatTimeoutMs: number;
  /** Warn after heartbeats have failed for this long (ms). Default 120 000. */
  failureWindowMs?: number;
  /**
   * Whether a heartbeat's error means the server no longer knows the session (it restarted, or ended
   * it): heartbeats then stop, with one warning, instead of failing every interval for the life of the
   * process. Without it a failing beat is always taken for a passing outage.
   */
  isGone?(error: unknown): boolean;
  /** Example of the create input, for docs only. */
  readonly _input?: TCreateInput;
}

export interface SessionHandle {
  readonly id: string;
  /** Stop heartbeats; waits for an in-flight heartbeat to finish. */
  stop(): Promise<void>;
}

/** Sessions port: creates sessions and runs their heartbeats through the pipeline. */
export interface SessionManager {
  open<TInput>(
    protocol: SessionProtocol<TInput>,
    input: TInput,
    options?: { signal?: AbortSignal | undefined },
  ): Promise<SessionHandle>;
  readonly sessions: readonly SessionHandle[];
  stopAll(): Promise<void>;
}

export const SessionsToken = Symbol.for('pristine.port.Sessions') as PortToken<SessionManager>;
