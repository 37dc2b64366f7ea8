import type { EmulatorContext } from '../context.js';
import { HttpError, ok, type Answer } from '../http-util.js';

const PAUSES = [
  { queue_state: 'paused_rate_limit', queue_state_reason: 'concurrent training clients rate limit hit' },
  {
    queue_state: 'paused_capacity',
    queue_state_reason: 'Tinker backend is running short on capacity, please wait',
  },
];

/** `retrieve_future`: try_again while pending or paused, the result, `{error, category}`, or 410. */
export function retrieveFuture(ctx: EmulatorContext, body: Record<string, any>): Answer {
  const found = ctx.futures.lookup(body.request_id);
  if (found === 'missing') throw new HttpError(404, `future ${body.request_id} not found`, 'request_id');
  if (found === 'expired' || ctx.chaos.roll('futures', 'expire'))
    throw new HttpError(410, `future ${body.request_id} expired`);
  if (ctx.chaos.roll('futures', 'pause')) {
    const pause = PAUSES[ctx.state.requests.length % 2];
    return ok({ type: 'try_again', request_id: body.request_id, ...pause });
  }
  if (found.state === 'pending')
    return ok({ type: 'try_again', request_id: body.request_id, queue_state: 'active' });
  if (found.state === 'failed') {
    ctx.futures.markDelivered(body.request_id);
    return ok(found.error);
  }
  if (body.allow_metadata_only) {
    const size = Buffer.byteLength(JSON.stringify(found.result));
    if (size > ctx.metadataThresholdBytes)
      return ok({ status: 'complete_metadata', response_payload_size: size });
  }
  ctx.futures.markDelivered(body.request_id);
  return ok(found.result);
}
