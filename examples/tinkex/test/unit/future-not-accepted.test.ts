import { describe, expect, it } from '@jest/globals';
import { APIFuture, FakeClock, FutureTimeoutError } from 'pristine-kernel';
import { CallScope } from '../../src/client/request-options.js';

/**
 * What a Tinkex caller sees when `future.result({ timeoutMs })` ends before the server accepted the
 * request. A call with its own `timeoutMs` hands back CallScope's wrapper of the kernel's future, which
 * did not know the endpoint: the error said "waiting for (not accepted)" (a made-up request id), then,
 * once the kernel stopped making one up, "waiting for a request". It names the endpoint, as the
 * kernel's own future does.
 */
describe('a training future that times out before acceptance', () => {
  it('names the endpoint and no request id, through a call deadline’s wrapper too', async () => {
    const clock = new FakeClock();
    const held = new Promise<string>(() => {});
    const inner = new APIFuture<number>(held, async () => 1, clock, undefined, {
      endpointId: 'forward_backward',
    });
    const scope = new CallScope({ timeoutMs: 60_000 }, 'forwardBackward', clock);
    const waiting = scope
      .future(inner)
      .result({ timeoutMs: 5_000 })
      .catch((e: unknown) => e);
    await clock.advance(5_000);
    const error = (await waiting) as FutureTimeoutError;
    expect(error).toBeInstanceOf(FutureTimeoutError);
    expect(error.requestId).toBeUndefined();
    expect(error.message).toMatch(/^Timed out after 5000 ms waiting for forward_backward: .*not accepted/);
    scope.end();
    expect(clock.pending).toBe(0);
  });
});
