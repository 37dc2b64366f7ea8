import type { Logger, SessionProtocolFor } from 'pristine-kernel';
import type { tinkerManifest } from '../manifest.js';
import { isSessionGone } from './session-gone.js';

type TinkerSessionProtocol = SessionProtocolFor<typeof tinkerManifest, 'create_session', 'session_heartbeat'>;

/**
 * Tinker sessions: created by `create_session`, kept alive by a heartbeat every 10 s (no retries). The
 * server's `info_message` / `warning_message` / `error_message` are logged at those levels, as the
 * Python SDK logs them.
 */
export function tinkerSessionProtocol(intervalMs: number, logger: () => Logger): TinkerSessionProtocol {
  return {
    createEndpoint: 'create_session',
    sessionId: (body) => body.session_id,
    onCreated(body) {
      // Read as it arrived, not as typed: with response validation off or warning it may be anything.
      const b: Record<string, unknown> = body ?? {};
      const text = (key: keyof typeof body) => {
        const value = b[key];
        return typeof value === 'string' && value !== '' ? value : undefined;
      };
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
    // A beat refused because the server forgot the session (it restarted): stop beating, warn once.
    isGone: isSessionGone,
  };
}
