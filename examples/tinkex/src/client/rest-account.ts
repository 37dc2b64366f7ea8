import { PristineError } from 'pristine-kernel';
import { decodeJwtClaims, looksLikeJwt } from '../protocol/jwt.js';
import type { AuditLogResponse, BillingUsageResponse } from '../types/account.js';
import type { ServiceClient } from './service-client.js';

/** Who the credential belongs to, read from JWT claims (no request; the signature is not checked). */
export interface WhoAmI {
  /** The user URN (`sub`). */
  user_id?: string;
  email?: string;
  issuer?: string;
}

/**
 * `RestClient.whoami()`: the claims of the JWT in use: the exchanged one when the server enabled JWT
 * exchange, else an `eyJ…` API key. An opaque `tml-` key has no claims: that is a typed error.
 */
export async function whoami(service: ServiceClient): Promise<WhoAmI> {
  await service.protocol.ensure();
  const key = service.config.api_key?.reveal();
  const token = service.protocol.currentJwt() ?? (key && looksLikeJwt(key) ? key : undefined);
  const claims = token ? decodeJwtClaims(token) : undefined;
  if (!claims) {
    throw new PristineError(
      'whoami needs a JWT: the server did not enable JWT exchange and the key is not one',
      {
        category: 'user',
      },
    );
  }
  return { user_id: claims.sub, email: claims.email, issuer: claims.iss };
}

/** Trace export states: polled every `pollIntervalMs` (Python SDK: 5 s) until `ready` or `failed`. */
export async function exportSessionTrace(
  service: ServiceClient,
  session_id: string,
  opts: { pollIntervalMs?: number; signal?: AbortSignal } = {},
): Promise<{ url: string }> {
  const clock = service.kernel.getServices().clock;
  for (;;) {
    const answer = await service.kernel.call('export_session_trace', { session_id }, { signal: opts.signal });
    if (answer.status === 'ready' && answer.url) return { url: answer.url };
    if (answer.status === 'failed')
      throw new PristineError(`Trace export of ${session_id} failed: ${answer.error ?? 'no reason given'}`, {
        category: 'server',
        body: answer,
      });
    await clock.sleep(opts.pollIntervalMs ?? 5_000, opts.signal);
  }
}

export function getBillingUsage(
  service: ServiceClient,
  starting_on: Date | string,
  ending_before: Date | string,
): Promise<BillingUsageResponse> {
  const iso = (value: Date | string) => (value instanceof Date ? value.toISOString() : value);
  return service.kernel.call('get_billing_usage', {
    starting_on: iso(starting_on),
    ending_before: iso(ending_before),
  });
}

export function getAuditLog(
  service: ServiceClient,
  opts: { event_type?: 'all' | 'checkpoints'; day?: string } = {},
): Promise<AuditLogResponse> {
  return service.kernel.call('get_audit_log', {
    event_type: opts.event_type ?? 'all',
    ...(opts.day ? { day: opts.day } : {}),
  });
}

export async function assignSessionProject(service: ServiceClient, session_id: string, project_id: string) {
  await service.kernel.call('assign_session_project', { session_id, project_id });
}
