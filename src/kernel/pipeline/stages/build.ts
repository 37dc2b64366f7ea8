import { buildRequest } from '../../request/build-request.js';
import type { Stage } from '../context.js';

/** Rebuild the request for every attempt: fresh retry-count header, same idempotency key. */
export const buildStage: Stage = {
  name: 'build',
  async run(context, next) {
    context.request = await buildRequest(context, context.plugin.staticHeaders);
    return next();
  },
};
