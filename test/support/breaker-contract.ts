import { describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { APIUserAbortError, CircuitOpenError } from '../../src/kernel/errors/api-errors.js';
import type { BreakerStateChange, CircuitBreakerRegistry } from '../../src/ports/circuit-breaker.js';

/*
 * What every CircuitBreaker adapter promises, run against cockatiel's and the Redis ones (a single node, a cluster) on the real
 * clock (Redis keeps time on the server), with a short half-open delay.
 */

export class ServerError extends Error {}
export class ClientError extends Error {}
export const isServerError = (e: unknown) => e instanceof ServerError;
export const HALF_OPEN_MS = 300;
export const settings = { consecutiveFailures: 3, halfOpenAfterMs: HALF_OPEN_MS };
export const ok = async () => 'ok';
export const serverFails = async (): Promise<string> => {
  throw new ServerError('503');
};
export const clientFails = async (): Promise<string> => {
  throw new ClientError('404');
};
export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function harness(registry: CircuitBreakerRegistry) {
  const key = randomUUID();
  const changes: string[] = [];
  registry.onStateChange((c: BreakerStateChange) => changes.push(`${c.from}->${c.to}`));
  const run = (fn: () => Promise<string>) => registry.execute(key, settings, fn, isServerError);
  const fail = async (times: number) => {
    for (let i = 0; i < times; i++) await expect(run(serverFails)).rejects.toBeInstanceOf(ServerError);
  };
  return { key, changes, run, fail };
}

export function contract(name: string, make: () => CircuitBreakerRegistry) {
  describe(`CircuitBreaker contract: ${name}`, () => {
    it('opens after N consecutive failures and then fails fast without calling fn', async () => {
      const registry = make();
      const { key, changes, run, fail } = harness(registry);
      await fail(2);
      expect(registry.state(key)).toBe('closed');
      await fail(1);
      expect(registry.state(key)).toBe('open');
      const fn = jest.fn(ok);
      for (let i = 0; i < 3; i++) await expect(run(fn)).rejects.toBeInstanceOf(CircuitOpenError);
      expect(fn).not.toHaveBeenCalled();
      expect(changes).toEqual(['closed->open']);
    });

    it('lets one trial through after halfOpenAfterMs, failing the others fast; success closes afresh', async () => {
      const registry = make();
      const { key, changes, run, fail } = harness(registry);
      await fail(3);
      await pause(HALF_OPEN_MS + 50);
      let finishTrial!: (value: string) => void;
      const trial = run(() => new Promise<string>((resolve) => (finishTrial = resolve)));
      // The trial starts once the breaker (maybe in Redis) said so.
      for (let i = 0; i < 500 && !finishTrial; i++) await pause(1);
      const other = jest.fn(ok);
      await expect(run(other)).rejects.toBeInstanceOf(CircuitOpenError);
      expect(other).not.toHaveBeenCalled();
      finishTrial('ok');
      await expect(trial).resolves.toBe('ok');
      expect(registry.state(key)).toBe('closed');
      expect(changes).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
      await fail(2); // a fresh count: two failures do not reopen it
      expect(registry.state(key)).toBe('closed');
    });

    it('reopens when the trial fails', async () => {
      const registry = make();
      const { key, run, fail } = harness(registry);
      await fail(3);
      await pause(HALF_OPEN_MS + 50);
      await fail(1); // the trial
      expect(registry.state(key)).toBe('open');
      await expect(run(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    });

    it('treats errors the predicate does not count as neutral, passing them through unchanged', async () => {
      const registry = make();
      const { key, run, fail } = harness(registry);
      await fail(2);
      const error = await run(clientFails).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ClientError);
      await fail(1); // the 404 neither counted nor reset the count
      expect(registry.state(key)).toBe('open');
    });

    it('opens exactly when the failure rate over the window passes the threshold, given enough traffic', async () => {
      const registry = make();
      const key = randomUUID();
      const rate = {
        failureRateThreshold: 0.5,
        samplingWindowMs: 5_000,
        minimumRps: 0.8,
        halfOpenAfterMs: 60_000,
      };
      const call = (fn: () => Promise<string>) => registry.execute(key, rate, fn, isServerError);
      const failing = () => expect(call(serverFails)).rejects.toBeInstanceOf(ServerError);
      await call(ok);
      await call(ok);
      await failing(); // 1 of 3: below the 4 calls the window needs
      await failing(); // 2 of 4: not above half
      expect(registry.state(key)).toBe('closed');
      await failing(); // 3 of 5
      expect(registry.state(key)).toBe('open');
    });

    it('does not spend a call whose signal is already aborted', async () => {
      const registry = make();
      const fn = jest.fn(ok);
      await expect(
        registry.execute('k', settings, fn, isServerError, AbortSignal.abort()),
      ).rejects.toBeInstanceOf(APIUserAbortError);
      expect(fn).not.toHaveBeenCalled();
    });
  });
}
