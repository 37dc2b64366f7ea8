import { buildRequest } from '../../request/build-request.js';
import type { Stage } from '../context.js';
import { enteringStage } from '../stage-hooks.js';

/** Rebuild the request for every attempt: fresh retry-count header, same idempotency key. */
export const buildStage: Stage = enteringStage({
  name: 'build',
  // A request built synchronously (every body but a file's or a stream's) leaves nothing for later.
  enter(context, next) {
    const request = buildRequest(context, context.plugin.staticHeaders);
    if (request instanceof Promise) {
      return request.then((built) => {
        context.request = built;
        return next();
      });
    }
    context.request = request;
    return false;
  },
});
