import { APIUserAbortError, type KernelEvents } from 'pristine-kernel';
import type { TelemetryReporter } from './reporter.js';

/**
 * Endpoints whose events are not forwarded: the telemetry POST itself (forwarding it would feed a
 * loop) and the heartbeat, every 10 s for the session's life (Elixir sends neither: their calls carry
 * no session id).
 */
const SILENT = new Set(['telemetry', 'session_heartbeat']);

/**
 * Error answers that are signals, not failures: `client/config` answering 404 is how a server says it
 * speaks the legacy JSON protocol, which the client then falls back to; `client/dynamic_config`
 * answering 404 is a server without dynamic flags, whose defaults then apply (as in the Python SDK).
 * Reported as an answer (`result` ok, INFO) with what it meant, so it never reads as an error in the
 * backend's dashboards.
 */
const SIGNALS: Record<string, { status: number; meaning: object }> = {
  get_client_config: { status: 404, meaning: { protocol: 'legacy' } },
  get_dynamic_config: { status: 404, meaning: { dynamic_config: 'defaults' } },
};

function describe(error: unknown): { type: string; message: string } {
  const e = error as { name?: unknown; message?: unknown } | null;
  return {
    type: typeof e?.name === 'string' ? e.name : typeof error,
    message: typeof e?.message === 'string' ? e.message : String(error),
  };
}

/**
 * Forward the kernel's HTTP, retry and queue events to backend telemetry as GENERIC_EVENTs, named and
 * shaped as Elixir tinkex's reporter sends its `:telemetry` events: `tinkex.http.request.start`,
 * `tinkex.http.request.stop` (`result` ok, error for an HTTP error answer, or cancelled by the caller),
 * `tinkex.http.request.exception` (no answer: connection error or timeout; severity ERROR),
 * `tinkex.retry.attempt.retry` and `tinkex.queue.state_change`, each with
 * `event_data: {measurements, metadata}`. `reporter()` picks the reporter at each event (the
 * session's, or the session-less one); nothing is sent while it gives none. Returns the unsubscribe.
 */
export function forwardKernelEvents(
  events: KernelEvents,
  reporter: () => TelemetryReporter | undefined,
): () => void {
  const send = (name: string, measurements: object, metadata: object, severity?: 'ERROR') =>
    reporter()?.generic(name, { measurements, metadata }, severity);
  const offs = [
    // Every call's start and stop: only ids, numbers and the URL, so the compact path (reporter.ts).
    events.on('request:start', (e) => {
      if (SILENT.has(e.endpointId)) return;
      reporter()?.httpStart(e.endpointId, e.method, e.url);
    }),
    events.on('request:stop', (e) => {
      if (SILENT.has(e.endpointId)) return;
      reporter()?.httpStop(e.endpointId, e.status, e.durationMs, e.attempts - 1);
    }),
    events.on('request:error', (e) => {
      if (SILENT.has(e.endpointId)) return;
      const measurements = e.durationMs === undefined ? {} : { duration_ms: e.durationMs };
      const signal = SIGNALS[e.endpointId];
      if (signal && e.status === signal.status) {
        const answer = { endpoint: e.endpointId, status: e.status, result: 'ok', ...signal.meaning };
        return send('tinkex.http.request.stop', measurements, answer);
      }
      const metadata = { endpoint: e.endpointId, error: describe(e.error) };
      // The caller's own cancellation is no failure (as for public calls, see capture.ts).
      if (e.error instanceof APIUserAbortError)
        return send('tinkex.http.request.stop', measurements, { ...metadata, result: 'cancelled' });
      if (e.status === undefined) send('tinkex.http.request.exception', measurements, metadata, 'ERROR');
      else send('tinkex.http.request.stop', measurements, { ...metadata, status: e.status, result: 'error' });
    }),
    events.on('request:retry', (e) => {
      if (SILENT.has(e.endpointId)) return;
      send(
        'tinkex.retry.attempt.retry',
        { delay_ms: e.delayMs },
        { endpoint: e.endpointId, attempt: e.attempt, error: describe(e.error) },
      );
    }),
    events.on('queue:state', (e) =>
      send(
        'tinkex.queue.state_change',
        {},
        { request_id: e.requestId, queue_state: e.queueState, queue_state_reason: e.reason ?? null },
      ),
    ),
  ];
  return () => offs.forEach((off) => off());
}
