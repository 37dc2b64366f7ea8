import { describe, expect, it } from '@jest/globals';
import { APIUserAbortError, abortErrorFor } from '../../src/index.js';

describe('abortErrorFor', () => {
  it("is a user abort, never retried, carrying the signal's reason as its cause", () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    controller.abort(reason);
    const error = abortErrorFor(controller.signal);
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(error).toMatchObject({ category: 'user', retryable: false, cause: reason });
  });

  it('says a timed-out signal (AbortSignal.timeout) timed out, rather than that someone aborted it', () => {
    const controller = new AbortController();
    controller.abort(new DOMException('The operation timed out.', 'TimeoutError'));
    expect(abortErrorFor(controller.signal).message).toMatch(/its signal timed out/);
    expect(abortErrorFor(AbortSignal.abort()).message).not.toMatch(/timed out/);
  });

  it('without a signal, an abort with no cause', () => {
    const error = abortErrorFor(undefined);
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(error.cause).toBeUndefined();
  });
});
