import { PristineError } from '../../errors/pristine-error.js';
import type { TransportResponse } from '../../../ports/transport.js';
import type { CallResult, Stage } from '../context.js';

/** The terminal stage: one HTTP exchange through the Transport port. */
export const transportStage: Stage = {
  name: 'transport',
  run(context) {
    if (!context.request) throw new PristineError('No request was built before the transport stage');
    return context.services.transport.send(context.request).then(asResult);
  },
};

function asResult(response: TransportResponse): CallResult {
  return { status: response.status, headers: response.headers, body: undefined, response };
}
