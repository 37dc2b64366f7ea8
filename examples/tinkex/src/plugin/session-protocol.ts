import type { SessionProtocol } from 'pristine-kernel';

/** Tinker sessions: created by `create_session`, kept alive by a heartbeat every 10 s (no retries). */
export function tinkerSessionProtocol(intervalMs: number): SessionProtocol {
  return {
    createEndpoint: 'create_session',
    sessionId: (body) => (body as { session_id: string }).session_id,
    heartbeatEndpoint: 'session_heartbeat',
    heartbeatInput: (session_id) => ({ session_id }),
    intervalMs,
    heartbeatTimeoutMs: 10_000,
    failureWindowMs: 120_000,
  };
}
