import { describe, expect, it } from '@jest/globals';
import type { CallContext, CallResult, Stage, StageHooks } from '../../src/kernel/pipeline/context.js';
import { Pipeline } from '../../src/kernel/pipeline/pipeline.js';
import { PluginError } from '../../src/kernel/errors/plugin-errors.js';
import { MAX_HOOKED_STAGE, runEntered } from '../../src/kernel/pipeline/stage-hooks.js';
import { taggingHooks } from '../support/tagging-hooks.js';

const ok: CallResult = { status: 200, headers: {}, body: 'done' };
const context = {} as CallContext;

/** A stage with `enter` and hooks that log what they see, and tag the result or the error with their name. */
function hooked(name: string, log: string[], extra: Partial<Stage> & { hooks?: StageHooks } = {}): Stage {
  const stage: Stage = {
    name,
    run: (c, next) => runEntered(stage, c, next),
    enter: () => (log.push(`enter ${name}`), true),
    hooks: taggingHooks(name, log),
    ...extra,
  };
  return stage;
}

/** The same stages with `run` only: each its own `then` around `next()`, as before `enter` existed. */
function nested(stages: readonly Stage[]): Pipeline {
  return new Pipeline(stages.map((s) => ({ name: s.name, run: (c, n) => s.run(c, n) })));
}

/** Outcome of one call, and what the stages logged on the way. */
async function outcome(pipeline: Pipeline, log: string[]): Promise<{ log: string[]; outcome: unknown }> {
  log.length = 0;
  const result = await pipeline.execute(context).then(
    (r) => ({ body: r.body }),
    (e: unknown) => ({ error: (e as Error).message }),
  );
  return { log: [...log], outcome: result };
}

describe('stages that enter: hooks of adjacent stages in one then (Stage.enter)', () => {
  it('applies the hooks innermost first on success, as nested thens would', async () => {
    const log: string[] = [];
    const stages = [hooked('a', log), hooked('b', log), { name: 'end', run: () => Promise.resolve(ok) }];
    const fused = await outcome(new Pipeline(stages), log);
    expect(fused.outcome).toEqual({ body: 'done<b<a' });
    expect(fused.log).toEqual(['enter a', 'enter b', 'fulfilled b done', 'fulfilled a done<b']);
    expect(await outcome(nested(stages), log)).toEqual(fused);
  });

  it('hands a failure from inside through each rejected hook, innermost first, and never recovers', async () => {
    const log: string[] = [];
    const stages = [
      hooked('a', log),
      hooked('b', log),
      { name: 'end', run: () => Promise.reject(new Error('boom')) },
    ];
    const fused = await outcome(new Pipeline(stages), log);
    expect(fused.outcome).toEqual({ error: 'boom<b<a' });
    expect(fused.log).toEqual(['enter a', 'enter b', 'rejected b boom', 'rejected a boom<b']);
    expect(await outcome(nested(stages), log)).toEqual(fused);
  });

  it('gives a throw of a fulfilled hook to the rejected hooks outside it only', async () => {
    const log: string[] = [];
    const middle = hooked('b', log, {
      hooks: {
        fulfilled: () => {
          log.push('fulfilled b throws');
          throw new Error('bad result');
        },
        rejected: () => {
          throw new Error('b must not see its own throw');
        },
      },
    });
    const stages = [
      hooked('a', log),
      middle,
      hooked('c', log),
      { name: 'end', run: () => Promise.resolve(ok) },
    ];
    const fused = await outcome(new Pipeline(stages), log);
    expect(fused.outcome).toEqual({ error: 'bad result<a' });
    expect(fused.log).toEqual([
      'enter a',
      'enter b',
      'enter c',
      'fulfilled c done',
      'fulfilled b throws',
      'rejected a bad result',
    ]);
    expect(await outcome(nested(stages), log)).toEqual(fused);
  });

  it('takes what a rejected hook throws as the error the stages outside see', async () => {
    const log: string[] = [];
    const throwing = hooked('b', log, {
      hooks: {
        rejected: () => {
          throw new Error('thrown by b');
        },
      },
    });
    const stages = [
      hooked('a', log),
      throwing,
      { name: 'end', run: () => Promise.reject(new Error('boom')) },
    ];
    const fused = await outcome(new Pipeline(stages), log);
    expect(fused.outcome).toEqual({ error: 'thrown by b<a' });
    expect(await outcome(nested(stages), log)).toEqual(fused);
  });

  it('lets the stages entered before a synchronous throw see it (their hooks, not the thrower’s)', async () => {
    const log: string[] = [];
    const thrower = hooked('b', log, {
      enter: () => {
        throw new Error('refused');
      },
    });
    const stages = [hooked('a', log), thrower, { name: 'end', run: () => Promise.resolve(ok) }];
    const fused = await outcome(new Pipeline(stages), log);
    expect(fused.outcome).toEqual({ error: 'refused<a' });
    expect(fused.log).toEqual(['enter a', 'rejected a refused']);
    expect(await outcome(nested(stages), log)).toEqual(fused);
  });

  it('applies no hooks of a stage whose enter says false, and steps over stages that pass', async () => {
    const log: string[] = [];
    const quiet = hooked('b', log, { enter: () => (log.push('enter b'), false) });
    const passing = hooked('p', log, { passes: () => true });
    const stages = [passing, hooked('a', log), quiet, { name: 'end', run: () => Promise.resolve(ok) }];
    const fused = await outcome(new Pipeline(stages), log);
    expect(fused.outcome).toEqual({ body: 'done<a' });
    expect(fused.log).toEqual(['enter a', 'enter b', 'fulfilled a done']);
  });

  it('lets an enter that returns a promise take over: its next runs the rest, once per call of next', async () => {
    const log: string[] = [];
    let sent = 0;
    // A stage that sends twice (as a retry would) and answers with the second result.
    const twice: Stage = {
      name: 'twice',
      run: (c, next) => runEntered(twice, c, next),
      enter: (_c, next) => next().then(() => next()),
    };
    const stages = [
      hooked('a', log),
      twice,
      hooked('c', log),
      { name: 'end', run: () => Promise.resolve({ ...ok, body: `sent ${++sent}` }) },
    ];
    const fused = await outcome(new Pipeline(stages), log);
    expect(fused.outcome).toEqual({ body: 'sent 2<c<a' });
    expect(fused.log).toEqual([
      'enter a',
      'enter c',
      'fulfilled c sent 1',
      'enter c',
      'fulfilled c sent 2',
      'fulfilled a sent 2<c',
    ]);
    sent = 0;
    expect(await outcome(nested(stages), log)).toEqual(fused);
  });

  it('still applies the hooks of stages placed past the mask (run, one then each)', async () => {
    const log: string[] = [];
    const filler = Array.from({ length: MAX_HOOKED_STAGE + 1 }, (_, i): Stage => ({
      name: `f${i}`,
      run: (_c, next) => next(),
    }));
    const stages = [
      hooked('a', log),
      ...filler,
      hooked('far', log),
      { name: 'end', run: () => Promise.resolve(ok) },
    ];
    const fused = await outcome(new Pipeline(stages), log);
    expect(fused.outcome).toEqual({ body: 'done<far<a' });
    expect(await outcome(nested(stages), log)).toEqual(fused);
  });

  it('runEntered: a stage’s run does what the pipeline does with its enter and hooks', async () => {
    const log: string[] = [];
    const stage = hooked('a', log);
    await expect(stage.run(context, () => Promise.resolve(ok))).resolves.toEqual({ ...ok, body: 'done<a' });
    await expect(stage.run(context, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom<a');
    const quiet = hooked('q', log, { enter: () => false });
    await expect(quiet.run(context, () => Promise.resolve(ok))).resolves.toBe(ok);
  });

  // Round 29 (the `stage.enter!` it read): a TypeError from inside the kernel before.
  it('runEntered: a stage without enter is a PluginError naming it', () => {
    const plain: Stage = { name: 'plain', run: (c, next) => runEntered(plain, c, next) };
    expect(() => plain.run(context, () => Promise.resolve(ok))).toThrow(PluginError);
    expect(() => plain.run(context, () => Promise.resolve(ok))).toThrow('Stage "plain" has no enter');
  });
});
