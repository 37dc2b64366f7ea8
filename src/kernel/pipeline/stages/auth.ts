import type { Stage } from '../context.js';

/** Add credentials on every attempt, so retries see refreshed tokens. */
export const authStage: Stage = {
  name: 'auth',
  async run(context, next) {
    if (context.auth && context.request) {
      await context.auth.apply(context.request.headers, {
        url: context.request.url,
        method: context.request.method,
        endpointId: context.endpoint.id,
        attempt: context.attempt,
      });
    }
    return next();
  },
};
