import type { RequestBody } from '../../../ports/transport.js';
import { redactUrl } from '../../redact.js';
import { lowerCased } from '../../request/lower-case.js';
import type { CallContext, CallResult, Next, Stage } from '../context.js';

/**
 * At `debug`, one line per attempt and one per outcome, like `OPENAI_LOG=debug`: method, URL,
 * headers and body size going out; status, duration and request id coming back. The logger redacts
 * secret headers and registered secrets, so this stage passes what was sent and nothing is printed
 * twice. Placed right before the transport, so it sees the exact request that leaves (after auth)
 * and the raw status, before classification turns a status into an error.
 */
export const requestLogStage: Stage = {
  name: 'log',
  run(context, next) {
    return debugging(context) ? logged(context, next) : next();
  },
  passes: (context) => !debugging(context),
};

function debugging(context: CallContext): boolean {
  return context.services.logger.level === 'debug' && context.request !== undefined;
}

async function logged(context: CallContext, next: Next): Promise<CallResult> {
  const { logger, clock, settings } = context.services;
  const request = context.request!;
  const base = { endpoint: context.endpoint.id, attempt: context.attempt + 1 };
  logger.debug(`request ${request.method} ${redactUrl(request.url)}`, {
    ...base,
    headers: request.headers,
    body_bytes: sizeOf(request.body),
  });
  const started = clock.now();
  try {
    const result = await next();
    logger.debug(`response ${result.status} ${request.method} ${redactUrl(request.url)}`, {
      ...base,
      status: result.status,
      duration_ms: Math.round(clock.now() - started),
      request_id: result.headers[lowerCased(settings.requestIdHeader)],
    });
    return result;
  } catch (error) {
    logger.debug(`request failed ${request.method} ${redactUrl(request.url)}`, {
      ...base,
      duration_ms: Math.round(clock.now() - started),
      error: describe(error),
    });
    throw error;
  }
}

/** Bytes for strings and buffers; `stream` for one-shot bodies, whose size is unknown up front. */
function sizeOf(body: RequestBody | undefined): number | 'stream' {
  if (body === undefined) return 0;
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (body instanceof Uint8Array) return body.byteLength;
  return 'stream';
}

function describe(error: unknown): string {
  const e = error as { name?: string; code?: string; message?: string };
  return [e?.name, e?.code, e?.message].filter(Boolean).join(': ');
}
