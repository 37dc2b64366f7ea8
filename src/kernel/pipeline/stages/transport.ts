import { PristineError } from '../../errors/pristine-error.js';
import type { Stage } from '../context.js';

/** The terminal stage: one HTTP exchange through the Transport port. */
export const transportStage: Stage = {
  name: 'transport',
  async run(context) {
    if (!context.request) throw new PristineError('No request was built before the transport stage');
    const response = await context.services.transport.send(context.request);
    return { status: response.status, headers: response.headers, body: undefined, response };
  },
};
