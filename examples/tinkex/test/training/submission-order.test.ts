import { describe, expect, it } from '@jest/globals';
import { APIConnectionError, APIUserAbortError, BadRequestError, ClientClosedError } from 'pristine-kernel';
import { SubmissionOrder } from '../../src/training/submission-order.js';

/** Submit one request through `order` whose acceptance fails with `error`; resolves once it settled. */
async function failOne(order: SubmissionOrder, error: Error, endpoint = 'optim_step'): Promise<void> {
  const { gate, track } = order.reserve(endpoint);
  await gate;
  const accepted = Promise.reject(error);
  track(accepted);
  await accepted.catch(() => undefined);
  // The warning is written in the `turn` chain, one tick after the acceptance settles.
  await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Queue one request per outcome at once, as a pipelining caller does (each acceptance tracked as soon
 * as it is made); resolves once all settled and the warnings that follow were written.
 */
async function queueAll(order: SubmissionOrder, outcomes: (() => Promise<unknown>)[]): Promise<void> {
  const settled = outcomes.map((outcome, i) => {
    const { gate, track } = order.reserve(i % 2 ? 'optim_step' : 'forward_backward');
    const accepted = gate.then(outcome);
    track(accepted);
    return accepted.catch(() => undefined);
  });
  await Promise.all(settled);
  await new Promise((resolve) => setImmediate(resolve));
}

const refusal = (message: string, status = 400) =>
  new BadRequestError(message, { status, category: 'user', retryable: false });

/** An order whose warnings go to `warnings` and whose debug lines go to `debug`. */
function recordingOrder() {
  const warnings: string[] = [];
  const debug: string[] = [];
  const order = new SubmissionOrder((level, message) => (level === 'warn' ? warnings : debug).push(message));
  return { order, warnings, debug };
}

describe('SubmissionOrder warnings', () => {
  it('say nothing when the client was closed: every queued request ends that way, by the caller', async () => {
    // Found by hand: close() with 400 queued steps printed 400 "was not accepted … Later requests go on".
    const { order, warnings } = recordingOrder();
    await failOne(order, new ClientClosedError('Cannot call "optim_step": the client was closed.'));
    expect(warnings).toEqual([]);
  });

  it('leave a request its own caller aborted to the debug log: the caller knows, and Ctrl-C is not a fault', async () => {
    // Found by hand: Ctrl-C on `tinkex quickstart` printed "forward_backward (seq_id 201) was not
    // accepted: Request was aborted. Later requests go on…" just before "Error: interrupted".
    const { order, warnings, debug } = recordingOrder();
    await failOne(order, new APIUserAbortError(), 'forward_backward');
    expect(warnings).toEqual([]);
    expect(debug).toEqual([
      'forward_backward (seq_id 1) was not accepted: Request was aborted. Later requests go on with the next seq_id.',
    ]);
    // The burnt seq_id is still burnt: the next request takes the one after it.
    expect(order.nextSeqId).toBe(2);
  });

  it('name a refused request once, in one sentence per clause', async () => {
    const { order, warnings } = recordingOrder();
    await failOne(
      order,
      new BadRequestError('learning_rate must be positive.', {
        status: 400,
        category: 'user',
        retryable: false,
      }),
    );
    expect(warnings).toEqual([
      'optim_step (seq_id 1) was not accepted: learning_rate must be positive. Later requests go on with the next seq_id.',
    ]);
  });

  it("name a 0.25 request by the call the user made, not by its protobuf endpoint's id", async () => {
    const { order, warnings } = recordingOrder();
    const unreachable = new APIConnectionError('Connection error: POST http://127.0.0.1:9 ECONNREFUSED');
    // As the TrainingClient does: the acceptance is tracked at once, the next request queued behind it.
    const failing = order.reserve('forward_backward_proto');
    failing.track(failing.gate.then(() => Promise.reject(unreachable)));
    const queued = order.reserve('forward_proto');
    const refused = await queued.gate.catch((e: unknown) => e);
    expect(warnings).toEqual([
      'forward_backward (seq_id 1) was not accepted: Connection error: POST http://127.0.0.1:9 ECONNREFUSED. ' +
        'Requests queued behind it are not sent.',
    ]);
    expect((refused as Error).message).toBe(
      'forward was not sent: forward_backward (seq_id 1), submitted before it, failed after its retries: ' +
        'Connection error: POST http://127.0.0.1:9 ECONNREFUSED',
    );
  });

  it('tell requests refused the same way one after another as one incident, ended by an acceptance or another reason', async () => {
    // Found by hand (round 25): after a restart, 60 pipelined steps refused (404) were 120 warning lines.
    const { order, warnings } = recordingOrder();
    const refusal = (message: string, status = 400) =>
      new BadRequestError(message, { status, category: 'user', retryable: false });
    const queue = (count: number, outcome: (i: number) => Promise<unknown>) =>
      Array.from({ length: count }, (_, i) => {
        const { gate, track } = order.reserve(i % 2 ? 'optim_step' : 'forward_backward');
        const accepted = gate.then(() => outcome(i));
        track(accepted);
        return accepted.catch(() => undefined);
      });
    // Four refused the same way, one accepted, two refused for another reason (queued all at once).
    await Promise.all([
      ...queue(4, (i) => Promise.reject(refusal(`bad ${i}`))),
      ...queue(1, () => Promise.resolve()),
      ...queue(2, () => Promise.reject(new ClientClosedError('closed'))),
    ]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings).toEqual([
      'forward_backward (seq_id 1) and the 3 requests after it (up to seq_id 4) were not accepted: bad 0. ' +
        'Later requests go on with the next seq_id.',
    ]);
    await failOne(order, refusal('gone', 404));
    await failOne(order, refusal('bad again'));
    expect(warnings.slice(1)).toEqual([
      'optim_step (seq_id 8) was not accepted: gone. Later requests go on with the next seq_id.',
      'optim_step (seq_id 9) was not accepted: bad again. Later requests go on with the next seq_id.',
    ]);
  });

  it('add nothing for the requests not sent behind an unreachable step: they took no seq_id', async () => {
    const { order, warnings } = recordingOrder();
    const failing = order.reserve('forward_backward');
    failing.track(failing.gate.then(() => Promise.reject(new APIConnectionError('Connection error.'))));
    // As the TrainingClient does: the queued request's acceptance is its gate, tracked at once.
    const queued = order.reserve('optim_step');
    queued.track(queued.gate);
    await queued.gate.catch(() => undefined);
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings).toEqual([
      'forward_backward (seq_id 1) was not accepted: Connection error. Requests queued behind it are not sent.',
    ]);
    expect(order.nextSeqId).toBe(2);
  });

  it('tell an incident once nothing is left queued, also when the last request was aborted by its caller', async () => {
    const { order, warnings } = recordingOrder();
    await queueAll(order, [
      () => Promise.reject(refusal('bad')),
      () => Promise.reject(refusal('bad')),
      () => Promise.reject(new APIUserAbortError()),
    ]);
    expect(warnings).toEqual([
      'forward_backward (seq_id 1) and the request after it (up to seq_id 2) were not accepted: bad. ' +
        'Later requests go on with the next seq_id.',
    ]);
  });

  it('tell the refusals before an unreachable step that follows them, in that order', async () => {
    const { order, warnings } = recordingOrder();
    await queueAll(order, [
      () => Promise.reject(refusal('bad')),
      () => Promise.reject(new APIConnectionError('Connection error.')),
    ]);
    expect(warnings).toEqual([
      'forward_backward (seq_id 1) was not accepted: bad. Later requests go on with the next seq_id.',
      'optim_step (seq_id 2) was not accepted: Connection error. Requests queued behind it are not sent.',
    ]);
  });

  it('end an incident at an acceptance even while more requests are queued behind it', async () => {
    const { order, warnings } = recordingOrder();
    await queueAll(order, [
      () => Promise.reject(refusal('bad')),
      () => Promise.resolve(),
      () => Promise.reject(refusal('bad')),
    ]);
    expect(warnings).toEqual([
      'forward_backward (seq_id 1) was not accepted: bad. Later requests go on with the next seq_id.',
      'forward_backward (seq_id 3) was not accepted: bad. Later requests go on with the next seq_id.',
    ]);
  });
});
