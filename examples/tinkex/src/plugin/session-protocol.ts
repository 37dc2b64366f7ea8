import type { Logger, SessionProtocol } from 'pristine-kernel';

/**
 * Tinker sessions: created by `create_session`, kept alive by a heartbeat every 10 s (no retries). The
 * server's `info_message` / `warning_message` / `error_message` are logged at those levels, as the
 * Python SDK logs them.
 */
export function tinkerSessionProtocol(intervalMs: number, logger: () => Logger): SessionProtocol {
  return {
    createEndpoint: 'create_session',
    sessionId: (body) => (body as { session_id: string }).session_id,
    onCreated(body) {
      const b = (body ?? {}) as Record<string, unknown>;
      const text = (key: string) =>
        typeof b[key] === 'string' && b[key] !== '' ? (b[key] as string) : undefined;
      const info = text('info_message');
      const warning = text('warning_message');
      const error = text('error_message');
      if (info) logger().info(info);
      if (warning) logger().warn(warning);
      if (error) logger().error(error);
    },
    heartbeatEndpoint: 'session_heartbeat',
    heartbeatInput: (session_id) => ({ session_id }),
    intervalMs,
    heartbeatTimeoutMs: 10_000,
    failureWindowMs: 120_000,
  };
}
