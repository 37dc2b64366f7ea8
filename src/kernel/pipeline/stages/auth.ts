import { lowerCased } from '../../request/lower-case.js';
import type { CallContext, Stage } from '../context.js';

/**
 * Add credentials on every attempt, so retries see refreshed tokens. Whatever the scheme wrote into
 * its secret headers is registered as a secret before the request leaves: a token fetched from a
 * provider (or refreshed) is then scrubbed from errors and logs like a static key, even when a server
 * echoes it back.
 */
export const authStage: Stage = {
  name: 'auth',
  run(context, next) {
    if (!context.auth || !context.request) return next();
    const applied = context.auth.apply(context.request.headers, {
      url: context.request.url,
      method: context.request.method,
      endpointId: context.endpoint.id,
      attempt: context.attempt,
    });
    // Static keys apply synchronously; only token providers need to be awaited.
    if (applied instanceof Promise) {
      return applied.then(() => {
        registerCredentials(context);
        return next();
      });
    }
    registerCredentials(context);
    return next();
  },
  passes: (context) => !context.auth || !context.request,
};

/** `Bearer <token>`, `Basic <user:pass>`, `Token <key>`: the credential after the scheme word. */
const SCHEME_PREFIX = /^[A-Za-z][\w-]*\s+(\S+)$/;

function registerCredentials(context: CallContext): void {
  const { auth, request, services } = context;
  for (const name of auth!.secretHeaders) {
    const value = request!.headers[lowerCased(name)];
    if (!value) continue;
    // Both the whole value and the bare credential: servers echo either. `add` ignores known values.
    services.secrets.add(value);
    const credential = SCHEME_PREFIX.exec(value)?.[1];
    if (credential) services.secrets.add(credential);
  }
}
