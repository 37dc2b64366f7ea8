import {
  describeValue,
  optionNames,
  PristineError,
  ValidationError,
  type CallOptions,
  untilAborted,
} from 'pristine-kernel';
import { decodeJwtClaims, looksLikeJwt } from '../protocol/jwt.js';
import type { AuditLogResponse, BillingUsageResponse } from '../types/account.js';
// The ServiceClient as seen from here (client-host.ts), not the class: importing service-client.ts,
// which constructs this client, would make the two modules import each other.
import type { ClientHost as ServiceClient } from './client-host.js';
import { billingWindow } from './billing-window.js';
import { startsWithCalendarDate } from '../calendar-date.js';
import { loggerOf } from './tinker-kernel.js';

/** Who the credential belongs to, read from JWT claims (no request; the signature is not checked). */
export interface WhoAmI {
  /** The user URN (`sub`), as the Python SDK's `WhoamiResponse.user_urn`. */
  user_urn?: string;
  /**
   * The same URN under this SDK's first name for it.
   * @deprecated Use `user_urn`, the Python SDK's name.
   */
  user_id?: string;
  email?: string;
  issuer?: string;
}

/**
 * `RestClient.whoami()`: the claims of the JWT in use: the exchanged one when the server enabled JWT
 * exchange, else an `eyJ…` API key. An opaque `tml-` key has no claims: that is a typed error.
 */
export async function whoami(service: ServiceClient, signal?: AbortSignal): Promise<WhoAmI> {
  // RestClient calls belong to the session-less holder: its JWT (Python SDK 0.23.2+). The handshake
  // (on a client's first call) is shared: the signal ends this wait only.
  await untilAborted(service.restProtocol.ensure(), signal);
  const key = service.config.api_key?.reveal();
  const token = service.restProtocol.currentJwt() ?? (key && looksLikeJwt(key) ? key : undefined);
  const claims = token ? decodeJwtClaims(token) : undefined;
  if (!claims) {
    throw new PristineError(
      'whoami needs a JWT: the server did not enable JWT exchange and the key is not one',
      {
        category: 'user',
      },
    );
  }
  return { user_urn: claims.sub, user_id: claims.sub, email: claims.email, issuer: claims.iss };
}

/** What `exportSessionTrace`'s `onProgress` hears after each answer that is not final. */
export interface TraceExportProgress {
  /** The server's status, `pending` while it prepares the export. */
  status: string;
  /** Polls so far, this one included. */
  polls: number;
  /** Time since the first poll was sent. */
  elapsedMs: number;
}

/** Trace export states: polled every `pollIntervalMs` (Python SDK: 5 s) until `ready` or `failed`. */
export async function exportSessionTrace(
  service: ServiceClient,
  session_id: string,
  pollIntervalMs = 5_000,
  options: CallOptions = {},
  onProgress?: (progress: TraceExportProgress) => void,
): Promise<{ url: string }> {
  const clock = service.kernel.getServices().clock;
  const start = clock.monotonic();
  for (let polls = 1; ; polls++) {
    const answer = await service.kernel.call('export_session_trace', { session_id }, options);
    if (answer.status === 'ready' && answer.url) return { url: answer.url };
    if (answer.status === 'failed')
      throw new PristineError(`Trace export of ${session_id} failed: ${answer.error ?? 'no reason given'}`, {
        category: 'server',
        body: answer,
      });
    loggerOf(service.kernel).info(
      `still waiting for the trace export of ${session_id} (${answer.status}); asking again in ` +
        `${pollIntervalMs / 1000} s`,
      { session_id },
    );
    onProgress?.({ status: answer.status, polls, elapsedMs: clock.monotonic() - start });
    await clock.sleep(pollIntervalMs, options.signal);
  }
}

/** Async, so a bad window rejects (a ValidationError, before anything is sent) rather than throws. */
export async function getBillingUsage(
  service: ServiceClient,
  starting_on: Date | string,
  ending_before: Date | string,
  options: CallOptions = {},
): Promise<BillingUsageResponse> {
  return service.kernel.call('get_billing_usage', billingWindow(starting_on, ending_before), options);
}

export interface AuditLogOptions {
  event_type?: 'all' | 'checkpoints';
  day?: Date | string;
}

export const AUDIT_LOG_OPTIONS = {
  names: optionNames<AuditLogOptions>({ event_type: true, day: true }),
  what: 'a getAuditLog option',
};

/** Async, so a bad day rejects (a ValidationError, before anything is sent) rather than throws. */
export async function getAuditLog(
  service: ServiceClient,
  opts: AuditLogOptions = {},
  options: CallOptions = {},
): Promise<AuditLogResponse> {
  const day = opts.day === undefined ? {} : { day: auditDay(opts.day) };
  return service.kernel.call('get_audit_log', { event_type: opts.event_type ?? 'all', ...day }, options);
}

/**
 * The audit log's `day` as sent: Python's `date.isoformat()`; a `Date` gives its UTC day. A string must be
 * a day of the calendar: the schema's pattern alone let 2026-13-45 through, and `''` meant every day.
 */
function auditDay(day: Date | string): string {
  const text =
    day instanceof Date ? (Number.isNaN(day.getTime()) ? '' : day.toISOString().slice(0, 10)) : day;
  if (typeof text === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(text) && startsWithCalendarDate(text))
    return text;
  throw ValidationError.field(
    'get_audit_log',
    '/day',
    'format',
    `expected a date such as 2026-07-13 (or a Date), got ${describeValue(day)}`,
  );
}

export async function assignSessionProject(
  service: ServiceClient,
  session_id: string,
  project_id: string,
  options: CallOptions = {},
) {
  await service.kernel.call('assign_session_project', { session_id, project_id }, options);
}
