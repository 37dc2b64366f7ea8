import { describe, expect, it } from '@jest/globals';
import { APITimeoutError, APIUserAbortError, abortErrorFor } from '../../src/index.js';

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

  it('names the deadline of a layer above that aborted with an APITimeoutError (a per-call timeoutMs)', () => {
    // What a client's own per-call deadline aborts with: the call reads "aborted" in logs and spans
    // otherwise, as if someone had cancelled it.
    const controller = new AbortController();
    const deadline = new APITimeoutError('sample did not finish within timeoutMs (300 ms)');
    controller.abort(deadline);
    const error = abortErrorFor(controller.signal);
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(error.message).toBe('Request was aborted: sample did not finish within timeoutMs (300 ms).');
    expect(error.cause).toBe(deadline);
  });

  it('without a signal, an abort with no cause', () => {
    const error = abortErrorFor(undefined);
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(error.cause).toBeUndefined();
  });
});
