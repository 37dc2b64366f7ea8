import { describe, expect, it } from '@jest/globals';
import type { CallContext, CallResult, Stage } from '../../src/kernel/pipeline/context.js';
import type { FixedPassesStage } from '../../src/kernel/pipeline/endpoint-stages.js';
import { Pipeline } from '../../src/kernel/pipeline/pipeline.js';

// The pipeline asks a built-in stage whose `passes` is fixed per endpoint once per endpoint (and leaves
// it out when it passes); every other stage's `passes` is asked per call, and a stage inserted after an
// endpoint's first call runs on its next one.

const RESULT = { status: 200, headers: {}, body: 'ok' } as unknown as CallResult;

/** What a stage saw: its `passes` asked, its `run` run. */
function counted(name: string, passes: (context: CallContext) => boolean, fixed: boolean) {
  const seen = { asked: 0, ran: 0 };
  const stage: Stage & Partial<FixedPassesStage> = {
    name,
    run: (_context, next) => {
      seen.ran++;
      return next();
    },
    passes: (context) => {
      seen.asked++;
      return passes(context);
    },
    ...(fixed ? { passesFixed: true as const } : {}),
  };
  return { stage, seen };
}

const transport: Stage = { name: 'transport', run: () => Promise.resolve(RESULT) };

const spec = { name: 'p' };
const services = {};
const contextFor = (endpoint: object) => ({ endpoint, plugin: { spec }, services }) as unknown as CallContext;

describe('the stages an endpoint runs', () => {
  it('asks a fixed passes once per endpoint, leaving the stage out or in for every call after', async () => {
    const skipped = { id: 'skipped' };
    const limited = { id: 'limited' };
    const fixed = counted('fixed', (c) => c.endpoint === (skipped as never), true);
    const pipeline = new Pipeline([fixed.stage, transport]);
    for (let i = 0; i < 3; i++) await expect(pipeline.execute(contextFor(skipped))).resolves.toBe(RESULT);
    expect(fixed.seen).toEqual({ asked: 1, ran: 0 });
    for (let i = 0; i < 3; i++) await expect(pipeline.execute(contextFor(limited))).resolves.toBe(RESULT);
    expect(fixed.seen).toEqual({ asked: 2, ran: 3 });
  });

  it('asks any other passes on every call', async () => {
    const endpoint = { id: 'e' };
    let passing = true;
    const dynamic = counted('dynamic', () => passing, false);
    const pipeline = new Pipeline([dynamic.stage, transport]);
    await pipeline.execute(contextFor(endpoint));
    passing = false;
    await pipeline.execute(contextFor(endpoint));
    expect(dynamic.seen).toEqual({ asked: 2, ran: 1 });
  });

  it('runs a stage inserted or removed after an endpoint was first called on its next call', async () => {
    const endpoint = { id: 'e' };
    const fixed = counted('fixed', () => false, true);
    const pipeline = new Pipeline([fixed.stage, transport]);
    await pipeline.execute(contextFor(endpoint));
    const late = counted('late', () => false, false);
    pipeline.insert(late.stage, { before: 'transport' });
    await pipeline.execute(contextFor(endpoint));
    expect(late.seen).toEqual({ asked: 1, ran: 1 });
    expect(fixed.seen).toEqual({ asked: 2, ran: 2 });
    pipeline.remove('late');
    await pipeline.execute(contextFor(endpoint));
    expect(late.seen).toEqual({ asked: 1, ran: 1 });
  });

  it('asks again when the endpoint is called with another plugin spec or other services', async () => {
    const endpoint = { id: 'e' };
    const fixed = counted('fixed', () => false, true);
    const pipeline = new Pipeline([fixed.stage, transport]);
    await pipeline.execute(contextFor(endpoint));
    await pipeline.execute({ ...contextFor(endpoint), plugin: { spec: { name: 'q' } } } as never);
    await pipeline.execute({ ...contextFor(endpoint), services: {} } as never);
    expect(fixed.seen).toEqual({ asked: 3, ran: 3 });
  });
});
