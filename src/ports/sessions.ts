import type { PortToken } from './port-token.js';
/**
 * A plugin's session protocol: how to open a session and keep it alive.
 */
export interface SessionProtocol<TCreateInput = unknown> {
  createEndpoint: string;
  /** Read the session id from the create response. */
  sessionId(createResponse: unknown): string;
  /** Called once with the create response (e.g. to log messages the server attached to it). */
  onCreated?(createResponse: unknown): void;
  heartbeatEndpoint: string;
  heartbeatInput(sessionId: string): unknown;
  /** Heartbeat cadence (ms). */
  intervalMs: number;
  /** Per-heartbeat timeout (ms). Heartbeats are never retried. */
  heartbeatTimeoutMs: number;
  /** Warn after heartbeats have failed for this long (ms). Default 120 000. */
  failureWindowMs?: number;
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
