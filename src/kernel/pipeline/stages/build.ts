import { buildRequest } from '../../request/build-request.js';
import type { Stage } from '../context.js';

/** Rebuild the request for every attempt: fresh retry-count header, same idempotency key. */
export const buildStage: Stage = {
  name: 'build',
  run(context, next) {
    const request = buildRequest(context, context.plugin.staticHeaders);
    if (request instanceof Promise) {
      return request.then((built) => {
        context.request = built;
        return next();
      });
    }
    context.request = request;
    return next();
  },
};
