import type { IncomingHttpHeaders } from 'node:http';
import type { EmulatorContext } from '../context.js';
import { HttpError, ok, type Answer } from '../http-util.js';
import { encodeResult } from '../protocol/results.js';
import { PROTOBUF } from '../request-body.js';

const PAUSES = [
  { queue_state: 'paused_rate_limit', queue_state_reason: 'concurrent training clients rate limit hit' },
  {
    queue_state: 'paused_capacity',
    queue_state_reason: 'Tinker backend is running short on capacity, please wait',
  },
];

/**
 * `retrieve_future`: the result, `{error, category}`, `complete_metadata`, or `try_again` while pending
 * (after holding the poll open up to `longPollMs`) or paused; 410 once expired, 404 when unknown.
 */
export async function retrieveFuture(
  ctx: EmulatorContext,
  body: Record<string, any>,
  headers: IncomingHttpHeaders,
): Promise<Answer> {
  const id: string = body.request_id;
  let found = ctx.futures.lookup(id);
  if (found === 'missing') throw new HttpError(404, `future ${id} not found`, 'request_id');
  if (found === 'expired' || ctx.chaos.roll('futures', 'expire'))
    throw new HttpError(410, `future ${id} expired`);
  if (ctx.chaos.roll('futures', 'pause')) {
    const pause = PAUSES[ctx.state.requests.length % 2];
    return ok({ type: 'try_again', request_id: id, ...pause });
  }
  if (found.state === 'pending' && ctx.protocol.longPollMs > 0) {
    // Long poll: a waiting client does not spin; the answer comes as soon as the work is done.
    await ctx.futures.settled(id, ctx.protocol.longPollMs, ctx.protocol.timers.after);
    found = ctx.futures.lookup(id);
    if (typeof found === 'string') throw new HttpError(410, `future ${id} expired`);
  }
  if (found.state === 'pending') return ok({ type: 'try_again', request_id: id, queue_state: 'active' });
  if (found.state === 'failed') {
    ctx.futures.markDelivered(id);
    return ok(found.error);
  }
  // Sample and forward/backward results go out as protobuf to polls that accept it (0.18.1+ clients);
  // try_again, errors and every other result stay JSON.
  const proto =
    found.kind && !ctx.protocol.legacyJson && wantsProtobuf(headers.accept)
      ? encodeResult(found.kind, found.result, ctx.protocol.resultLayout)
      : undefined;
  // A JSON result a metadata-only poll measured (every 0.25 optim_step poll asks) is sent as measured:
  // serialized once, not once to measure and again to send.
  let json: string | undefined;
  const size = () => (proto ? proto.length : Buffer.byteLength((json ??= JSON.stringify(found.result))));
  if (body.allow_metadata_only) {
    const bytes = size();
    if (bytes > ctx.metadataThresholdBytes) {
      ctx.state.metadataAnswers.push(bytes);
      return ok({ status: 'complete_metadata', response_payload_size: bytes });
    }
  }
  ctx.futures.markDelivered(id);
  const answer: Answer = proto
    ? { status: 200, bytes: proto, contentType: PROTOBUF }
    : { status: 200, body: found.result, text: json };
  // `false` is sent only after a metadata-only answer: the second phase of a two-phase retrieval.
  return body.allow_metadata_only === false ? inFlight(ctx, size(), answer) : answer;
}

/** Count a second-phase result as in flight while it is held (`resultHoldMs`) and until it is answered. */
async function inFlight(ctx: EmulatorContext, bytes: number, answer: Answer): Promise<Answer> {
  const { state } = ctx;
  state.resultBytesInFlight += bytes;
  state.peakResultBytesInFlight = Math.max(state.peakResultBytesInFlight, state.resultBytesInFlight);
  try {
    if (ctx.protocol.resultHoldMs > 0)
      await ctx.futures.hold(ctx.protocol.resultHoldMs, ctx.protocol.timers.after);
    return answer;
  } finally {
    state.resultBytesInFlight -= bytes;
  }
}

function wantsProtobuf(accept: string | undefined): boolean {
  if (accept === PROTOBUF) return true; // what 0.25 clients send; the same answer as the general case
  return (accept ?? '').split(',').some((part) => part.split(';')[0].trim().toLowerCase() === PROTOBUF);
}
