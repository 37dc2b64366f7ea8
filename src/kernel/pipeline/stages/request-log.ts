import type { TransportRequest } from '../../../ports/transport.js';
import { knownBodySize } from '../../request/body-size.js';
import { REDACTED, redactHeaders, redactUrl } from '../../redact.js';
import type { SecretRegistry } from '../../secret-registry.js';
import { lowerCased } from '../../request/lower-case.js';
import type { Logger } from '../../../ports/logger.js';
import type { RegisteredPlugin } from '../../plugin-contract.js';
import type { CallContext, CallResult, Next, Stage } from '../context.js';
import { credentialHeaderNames } from './auth-headers.js';

/**
 * At `debug`, one line per attempt and one per outcome, like `OPENAI_LOG=debug`: method, URL,
 * headers and body size going out; status, duration and request id coming back. Header values are
 * masked here (secret names, credential shapes, the kernel's registered secrets such as what the auth
 * scheme wrote), not left to the logger: a logger an author binds may not know the kernel's secrets,
 * and a custom scheme's header name need not look secret. Placed right before the transport, so it
 * sees the exact request that leaves (after auth) and the raw status, before classification turns a
 * status into an error.
 */
export const requestLogStage: Stage = {
  name: 'log',
  run(context, next) {
    const { request } = context;
    return request && debugging(context) ? logged(context, request, next) : next();
  },
  passes: (context) => !context.request || !debugging(context),
};

function debugging(context: CallContext): boolean {
  return context.services.logger.level === 'debug';
}

async function logged(context: CallContext, request: TransportRequest, next: Next): Promise<CallResult> {
  const { logger, clock, settings } = context.services;
  const base = { endpoint: context.endpoint.id, attempt: context.attempt + 1 };
  const { own, omitted } = apartFromCommon(context, logger, request.headers);
  logger.debug(`request ${request.method} ${redactUrl(request.url)}`, {
    ...base,
    headers: own,
    ...(omitted.length > 0 ? { omitted_headers: omitted } : {}),
    // A stream's size is unknown up front unless the request declares it.
    body_bytes: knownBodySize(request.body, request.headers['content-length']) ?? 'stream',
  });
  const started = clock.monotonic();
  try {
    const result = await next();
    logger.debug(`response ${result.status} ${request.method} ${redactUrl(request.url)}`, {
      ...base,
      status: result.status,
      duration_ms: Math.round(clock.monotonic() - started),
      request_id: result.headers[lowerCased(settings.requestIdHeader)],
    });
    return result;
  } catch (error) {
    logger.debug(`request failed ${request.method} ${redactUrl(request.url)}`, {
      ...base,
      duration_ms: Math.round(clock.monotonic() - started),
      error: describe(error),
    });
    throw error;
  }
}

/** Per logger, each plugin's common headers as that logger showed them. */
const shown = new WeakMap<Logger, WeakMap<RegisteredPlugin, Readonly<Record<string, string>>>>();

/**
 * A request's headers apart from the plugin's common ones (User-Agent, Accept, platform and static
 * headers, the same on every request): those are logged once per logger, and each request line keeps
 * only its own headers and any common one it sends with another value, so a dozen identical
 * `x-stainless-*` headers no longer bury the retry count and idempotency key. A common header a request
 * does not send (one to another origin) is named in `omitted`, so the line still tells what left.
 * The common line states the values the first request sent, not the plugin's static ones: a plugin's
 * per-request headers may replace a static value on every request (Tinkex's package version in 0.25
 * mode), and a log must never state a value that did not go out.
 */
function apartFromCommon(
  context: CallContext,
  logger: Logger,
  headers: Readonly<Record<string, string>>,
): { own: Record<string, string>; omitted: string[] } {
  const plugin = context.plugin;
  let seen = shown.get(logger);
  if (!seen) shown.set(logger, (seen = new WeakMap()));
  let common = seen.get(plugin);
  if (!common) {
    common = asFirstSent(plugin.staticHeaders, headers);
    seen.set(plugin, common);
    logger.debug(
      `headers every request to ${plugin.spec.name} sends, unless its line shows another value or omits it`,
      { headers: masked(common, context.services.secrets, credentialHeaderNames(context.auth)) },
    );
  }
  const own: Record<string, string> = {};
  for (const name in headers) if (headers[name] !== common[name]) own[name] = headers[name];
  const omitted = Object.keys(common).filter((name) => !(name in headers));
  const secret = credentialHeaderNames(context.auth);
  return { own: masked(own, context.services.secrets, secret), omitted };
}

/** The static headers with the values `sent` gave them; one it left out keeps the static value. */
function asFirstSent(
  statics: Readonly<Record<string, string>>,
  sent: Readonly<Record<string, string>>,
): Record<string, string> {
  const common: Record<string, string> = {};
  for (const name in statics) common[name] = name in sent ? sent[name] : statics[name];
  return common;
}

/**
 * Headers as they may be logged: debug only, so the copy costs nothing on the common path. What the
 * auth scheme writes (`secretNames`) is masked by name, whatever its value.
 */
function masked(
  headers: Readonly<Record<string, string>>,
  secrets: SecretRegistry,
  secretNames?: readonly string[],
): Record<string, string> {
  const out = redactHeaders(headers, secretNames);
  for (const name in out) {
    const value = out[name];
    if (value !== REDACTED && secrets.scrub(value) !== value) out[name] = REDACTED;
  }
  return out;
}

function describe(error: unknown): string {
  const e = error as { name?: string; code?: string; message?: string };
  return [e?.name, e?.code, e?.message].filter(Boolean).join(': ');
}
