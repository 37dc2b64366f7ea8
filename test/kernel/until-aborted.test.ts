import { expect, it } from '@jest/globals';
import { untilAborted } from '../../src/kernel/signals/until-aborted.js';
import { APIUserAbortError } from '../../src/kernel/errors/api-errors.js';
import { turns } from '../support/frozen-redis.js';

/*
 * A command handed to `untilAborted` is always observed, even when the caller's signal had aborted
 * before it was asked: the rate limiter hands back only the commands that reserved a token, so a
 * pre-aborted call whose command later failed (Redis went away) left a rejection nobody handled, which
 * Node turns into a crash (jest-circus fails the running test with it).
 */
it('observes a command asked under an aborted signal, so its later failure is never unhandled', async () => {
  let fail!: (error: Error) => void;
  const asked = new Promise<never>((_resolve, reject) => (fail = reject));
  const abandoned: Promise<unknown>[] = [];
  const ended = untilAborted(asked, AbortSignal.abort('gone'), (left) => void abandoned.push(left));
  await expect(ended).rejects.toBeInstanceOf(APIUserAbortError);
  fail(new Error('Redis went away'));
  await turns();
  expect(abandoned).toEqual([asked]);
});

it('settles with the command when it answers before the signal aborts, and hands nothing over when it aborts later', async () => {
  const controller = new AbortController();
  const abandoned: unknown[] = [];
  await expect(
    untilAborted(Promise.resolve(7), controller.signal, (left) => void abandoned.push(left)),
  ).resolves.toBe(7);
  controller.abort();
  await turns();
  expect(abandoned).toEqual([]);
});

it('ends at once when the signal aborts while the command is on the wire, handing the command over', async () => {
  const controller = new AbortController();
  let answer!: (value: number) => void;
  const asked = new Promise<number>((resolve) => (answer = resolve));
  const abandoned: Promise<number>[] = [];
  const ended = untilAborted(asked, controller.signal, (left) => void abandoned.push(left));
  controller.abort(new Error('caller gave up'));
  await expect(ended).rejects.toMatchObject({ cause: new Error('caller gave up') });
  answer(1);
  expect(abandoned).toEqual([asked]);
});
