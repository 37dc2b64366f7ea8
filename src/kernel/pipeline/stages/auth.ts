import type { Stage } from '../context.js';

/** Add credentials on every attempt, so retries see refreshed tokens. */
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
    return applied instanceof Promise ? applied.then(next) : next();
  },
};
