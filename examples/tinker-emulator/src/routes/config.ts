import type { IncomingHttpHeaders } from 'node:http';
import { accountOf } from '../auth.js';
import type { EmulatorContext } from '../context.js';
import { ok, type Answer } from '../http-util.js';

/** `POST client/config`: the feature flags (the request's `sdk_version` is recorded in the log only). */
export const clientConfig = (ctx: EmulatorContext): Answer => ok({ ...ctx.protocol.clientConfig });

/** `POST client/dynamic_config`: the refresh interval (and any later dynamic flags). */
export const dynamicConfig = (ctx: EmulatorContext): Answer => ok({ ...ctx.protocol.dynamicConfig });

/**
 * `POST auth/token`: exchange the caller's credential for a short-lived JWT. Answered whether or not
 * `pjwt_auth_enabled` is set (the flag tells clients whether to use it); the JWT is accepted in
 * `X-API-Key` on every endpoint until its `exp`.
 */
export async function authToken(ctx: EmulatorContext, headers: IncomingHttpHeaders): Promise<Answer> {
  const account = accountOf(headers['x-api-key'], ctx.protocol.accounts);
  return ok({ jwt: await ctx.protocol.jwt.issue(undefined, account) });
}
