import { describe, expect, it } from '@jest/globals';
import { BadRequestError, NotFoundError } from 'pristine-kernel';
import { Refusals } from '../../src/training/refusals.js';

const refused = (message: string, status = 400) =>
  new BadRequestError(message, { status, category: 'user', retryable: false });

/** Refusals whose one-line warnings go to `lines`. */
function recording() {
  const lines: string[] = [];
  return { refusals: new Refusals((message) => lines.push(message)), lines };
}

describe('Refusals', () => {
  it('quote the lowest seq_id and name the highest when chunks sent side by side are refused out of order', () => {
    const { refusals, lines } = recording();
    refusals.add({ endpoint: 'forward_backward', seq_id: 6, error: refused('bad 6') });
    refusals.add({ endpoint: 'forward_backward', seq_id: 4, error: refused('bad 4') });
    refusals.add({ endpoint: 'forward_backward', seq_id: 7, error: refused('bad 7') });
    refusals.add({ endpoint: 'forward_backward', seq_id: 5, error: refused('bad 5') });
    refusals.flush();
    expect(lines).toEqual([
      'forward_backward (seq_id 4) and the 3 requests after it (up to seq_id 7) were not accepted: bad 4. ' +
        'Later requests go on with the next seq_id.',
    ]);
  });

  it('end the incident when the reason changes: another status, another error class, a thrown non-error', () => {
    const { refusals, lines } = recording();
    refusals.add({ endpoint: 'optim_step', seq_id: 1, error: refused('bad') });
    refusals.add({ endpoint: 'optim_step', seq_id: 2, error: refused('bad') });
    refusals.add({ endpoint: 'optim_step', seq_id: 3, error: refused('gone', 404) });
    refusals.add({
      endpoint: 'optim_step',
      seq_id: 4,
      error: new NotFoundError('gone', { status: 404, category: 'user', retryable: false }),
    });
    refusals.add({ endpoint: 'optim_step', seq_id: 5, error: new Error('plain') });
    refusals.add({ endpoint: 'optim_step', seq_id: 6, error: 'a string' });
    refusals.flush();
    const tail = ' not accepted: ';
    expect(lines.map((line) => line.slice(0, line.indexOf(tail)))).toEqual([
      'optim_step (seq_id 1) and the request after it (up to seq_id 2) were',
      'optim_step (seq_id 3) was',
      'optim_step (seq_id 4) was',
      'optim_step (seq_id 5) was',
      'optim_step (seq_id 6) was',
    ]);
  });
});
