import { describe, expect, it } from '@jest/globals';
import { BadRequestError, ClientClosedError } from 'pristine-kernel';
import { SubmissionOrder } from '../../src/training/submission-order.js';

/** Submit one request through `order` whose acceptance fails with `error`; resolves once it settled. */
async function failOne(order: SubmissionOrder, error: Error): Promise<void> {
  const { gate, track } = order.reserve('optim_step');
  await gate;
  const accepted = Promise.reject(error);
  track(accepted);
  await accepted.catch(() => undefined);
  // The warning is written in the `turn` chain, one tick after the acceptance settles.
  await new Promise((resolve) => setImmediate(resolve));
}

describe('SubmissionOrder warnings', () => {
  it('say nothing when the client was closed: every queued request ends that way, by the caller', async () => {
    // Found by hand: close() with 400 queued steps printed 400 "was not accepted … Later requests go on".
    const warnings: string[] = [];
    const order = new SubmissionOrder((m) => warnings.push(m));
    await failOne(order, new ClientClosedError('Cannot call "optim_step": the client was closed.'));
    expect(warnings).toEqual([]);
  });

  it('name a refused request once, in one sentence per clause', async () => {
    const warnings: string[] = [];
    const order = new SubmissionOrder((m) => warnings.push(m));
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
});
