import { describe, expect, it } from '@jest/globals';
import type { CallContext, CallResult, Stage, StageHooks } from '../../src/kernel/pipeline/context.js';
import { Pipeline } from '../../src/kernel/pipeline/pipeline.js';
import { runEntered } from '../../src/kernel/pipeline/stage-hooks.js';
import { taggingHooks } from '../support/tagging-hooks.js';

const ok: CallResult = { status: 200, headers: {}, body: 'done' };
const context = {} as CallContext;

/** A stage with `enter` and hooks that log what they see and tag the result or the error with their name. */
function hooked(name: string, log: string[], hooks?: StageHooks): Stage {
  const stage: Stage = {
    name,
    run: (c, next) => runEntered(stage, c, next),
    enter: () => true,
    hooks: hooks ?? taggingHooks(name, log),
  };
  return stage;
}

const answering = (result: () => Promise<CallResult>): Stage => ({ name: 'end', run: result });

/** A finish that logs, and the outcome of one call with it. */
async function finished(pipeline: Pipeline, log: string[], map?: (r: CallResult) => unknown) {
  const settled = () => log.push('settled');
  return pipeline.execute(context, { settled, map }).then(
    (value) => ({ value }),
    (e: unknown) => ({ error: (e as Error).message }),
  );
}

describe('Pipeline.execute with a finish (CallFinish): the caller’s last step in the pipeline’s own then', () => {
  it('tells `settled` once, after every hook, then hands on what `map` made of the result', async () => {
    const log: string[] = [];
    const stages = [hooked('a', log), hooked('b', log), answering(() => Promise.resolve(ok))];
    const outcome = await finished(new Pipeline(stages), log, (r) => `mapped ${String(r.body)}`);
    expect(outcome).toEqual({ value: 'mapped done<b<a' });
    expect(log).toEqual(['fulfilled b done', 'fulfilled a done<b', 'settled']);
  });

  it('adds no then of its own: the call settles when the same call without a finish does', async () => {
    const log: string[] = [];
    const stages = [hooked('a', log), answering(() => Promise.resolve(ok))];
    const order: string[] = [];
    // Started first: with an extra `then` for the finish it would settle after the plain call.
    const withFinish = new Pipeline(stages).execute(context, { settled: () => {}, map: (r) => r.body });
    const plain = new Pipeline(stages).execute(context);
    await Promise.all([
      withFinish.then(() => order.push('with finish')),
      plain.then(() => order.push('plain')),
    ]);
    expect(order).toEqual(['with finish', 'plain']);
  });

  it('on a failure tells `settled` once, after the rejected hooks, and never calls `map`', async () => {
    const log: string[] = [];
    const stages = [hooked('a', log), hooked('b', log), answering(() => Promise.reject(new Error('boom')))];
    const outcome = await finished(new Pipeline(stages), log, () => {
      throw new Error('map must not run');
    });
    expect(outcome).toEqual({ error: 'boom<b<a' });
    expect(log).toEqual(['rejected b boom', 'rejected a boom<b', 'settled']);
  });

  it('gives a fulfilled hook’s throw to the hooks outside it, then tells `settled` once', async () => {
    const log: string[] = [];
    const throwing = hooked('b', log, {
      fulfilled: () => {
        throw new Error('bad result');
      },
    });
    const stages = [hooked('a', log), throwing, answering(() => Promise.resolve(ok))];
    const outcome = await finished(new Pipeline(stages), log, (r) => r.body);
    expect(outcome).toEqual({ error: 'bad result<a' });
    expect(log).toEqual(['rejected a bad result', 'settled']);
  });

  it('rejects with what `map` throws, past the rejected hooks, once `settled` was told', async () => {
    const log: string[] = [];
    const stages = [hooked('a', log), answering(() => Promise.resolve(ok))];
    const outcome = await finished(new Pipeline(stages), log, () => {
      throw new Error('no id in the body');
    });
    expect(outcome).toEqual({ error: 'no id in the body' });
    expect(log).toEqual(['fulfilled a done', 'settled']);
  });

  it('turns a stage’s synchronous throw into a rejection and still tells `settled`', () => {
    const log: string[] = [];
    const throwing: Stage = {
      name: 'throws',
      run: () => {
        throw new Error('sync');
      },
    };
    let result: Promise<unknown> | undefined;
    expect(() => (result = finished(new Pipeline([throwing]), log))).not.toThrow();
    return result!.then((outcome) => {
      expect(outcome).toEqual({ error: 'sync' });
      expect(log).toEqual(['settled']);
    });
  });

  it('with no hooked stage in front (a stage that runs), finishes after that stage’s own then', async () => {
    const log: string[] = [];
    const outer: Stage = {
      name: 'outer',
      run: (_c, next) =>
        next().then((r) => {
          log.push('outer saw ' + String(r.body));
          return { ...r, body: `${String(r.body)}<outer` };
        }),
    };
    const stages = [outer, hooked('a', log), answering(() => Promise.resolve(ok))];
    const outcome = await finished(new Pipeline(stages), log, (r) => `mapped ${String(r.body)}`);
    expect(outcome).toEqual({ value: 'mapped done<a<outer' });
    expect(log).toEqual(['fulfilled a done', 'outer saw done<a', 'settled']);
  });
});
