import { randomUUID } from 'node:crypto';
import type { Clock, Kernel, Logger } from 'pristine-kernel';

type Severity = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';

export const MAX_BATCH_SIZE = 100;
export const FLUSH_INTERVAL_MS = 10_000;
const MAX_QUEUE = 10_000;
const PROCESS_UUID = randomUUID();

const PLATFORMS: Record<string, string> = { linux: 'Linux', darwin: 'Darwin', win32: 'Windows' };

/**
 * Backend telemetry (POST /api/v1/telemetry): SESSION_START, SESSION_END, GENERIC_EVENT and
 * UNHANDLED_EXCEPTION, in batches of at most 100, flushed every 10 s and on close. A failed send never
 * breaks the SDK.
 */
export class TelemetryReporter {
  private queue: Record<string, unknown>[] = [];
  private index = 0;
  private stopTimer?: () => void;
  private readonly startedAt: number;
  private flushing?: Promise<void>;

  constructor(
    private readonly kernel: Kernel<any>,
    private readonly sessionId: string,
    private readonly sdkVersion: string,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.startedAt = clock.now();
    this.stopTimer = clock.every(FLUSH_INTERVAL_MS, () => void this.flush());
    this.record('SESSION_START', 'INFO', {});
  }

  generic(event_name: string, event_data: Record<string, unknown>, severity: Severity = 'INFO'): void {
    this.record('GENERIC_EVENT', severity, { event_name, event_data });
  }

  /** Report an exception; user errors (4xx other than 408, or category user) go out as `user_error`. */
  exception(error: unknown): void {
    const e = error as {
      name?: string;
      message?: string;
      status?: number;
      category?: string;
      body?: unknown;
    };
    const isUser =
      e.category === 'user' ||
      (e.status !== undefined && e.status >= 400 && e.status < 500 && e.status !== 408);
    if (isUser) {
      this.generic(
        'user_error',
        { error_type: e.name, message: e.message, status_code: e.status, body: e.body },
        'WARNING',
      );
    } else {
      this.record('UNHANDLED_EXCEPTION', 'ERROR', {
        error_type: e.name ?? 'Error',
        error_message: e.message ?? String(error),
      });
    }
  }

  /** Send every queued event, in batches. */
  flush(): Promise<void> {
    this.flushing ??= this.sendAll().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  /** SESSION_END, a final flush, and no more timers. */
  async close(): Promise<void> {
    this.stopTimer?.();
    this.stopTimer = undefined;
    const seconds = (this.clock.now() - this.startedAt) / 1000;
    this.record('SESSION_END', 'INFO', { duration: formatDuration(seconds) });
    await this.flush();
  }

  private record(event: string, severity: Severity, fields: Record<string, unknown>): void {
    if (this.queue.length >= MAX_QUEUE) return;
    this.queue.push({
      event,
      event_id: randomUUID(),
      event_session_index: this.index++,
      severity,
      timestamp: new Date(this.clock.now()).toISOString(),
      ...fields,
    });
  }

  private async sendAll(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH_SIZE);
      try {
        await this.kernel.call('telemetry', {
          events: batch,
          platform: PLATFORMS[process.platform] ?? process.platform,
          sdk_version: this.sdkVersion,
          session_id: this.sessionId,
          process_uuid: PROCESS_UUID,
        });
      } catch (error) {
        this.logger.debug('telemetry batch dropped', { error: (error as Error).message });
        return;
      }
    }
  }
}

/** Python's `str(timedelta)`: H:MM:SS.ffffff. */
function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h}:${String(m).padStart(2, '0')}:${s.toFixed(6).padStart(9, '0')}`;
}
