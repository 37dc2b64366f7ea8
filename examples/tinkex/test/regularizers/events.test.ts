import { describe, expect, it } from '@jest/globals';
import { KernelEvents } from 'pristine-kernel';
import { computePipeline, l1, type RegularizerSpec } from 'tinkex/regularizers';

const data = [{ model_input: { chunks: [] }, loss_fn_inputs: {} }] as never[];
const logprobs = [[-1, -2, -0.5]];
const nll = (_d: unknown, lp: number[][]) => ({
  loss: -lp.flat().reduce((a, b) => a + b, 0),
  grads: lp.map((r) => r.map(() => -1)),
});

function recorder() {
  const events = new KernelEvents();
  const seen: Array<[string, Record<string, unknown>]> = [];
  for (const name of [
    'x:tinkex:custom_loss:start',
    'x:tinkex:custom_loss:stop',
    'x:tinkex:regularizer:compute:start',
    'x:tinkex:regularizer:compute:stop',
    'x:tinkex:regularizer:compute:exception',
  ] as const) {
    events.on(name, (payload) => seen.push([name, payload as Record<string, unknown>]));
  }
  return { events, seen };
}

describe('regularizer pipeline events (Elixir telemetry parity)', () => {
  it('emits custom_loss start/stop around one compute start/stop per regularizer, with values', async () => {
    const { events, seen } = recorder();
    const regularizers: RegularizerSpec[] = [{ name: 'sparse', weight: 0.5, fn: l1() }];
    await computePipeline(data, logprobs, nll, { regularizers, track_grad_norms: true, events });
    expect(seen.map(([n]) => n)).toEqual([
      'x:tinkex:custom_loss:start',
      'x:tinkex:regularizer:compute:start',
      'x:tinkex:regularizer:compute:stop',
      'x:tinkex:custom_loss:stop',
    ]);
    expect(seen[0][1]).toEqual({ regularizer_count: 1, track_grad_norms: true });
    expect(seen[2][1]).toMatchObject({
      regularizer_name: 'sparse',
      weight: 0.5,
      value: 3.5,
      contribution: 1.75,
      grad_norm: Math.sqrt(3),
    });
    expect(seen[3][1]).toMatchObject({
      loss_total: 3.5 + 1.75,
      regularizer_total: 1.75,
      regularizer_count: 1,
    });
  });

  it('reports a failing regularizer as an exception event and rejects with its error', async () => {
    const { events, seen } = recorder();
    const boom = new Error('boom');
    const regularizers: RegularizerSpec[] = [
      {
        name: 'broken',
        weight: 1,
        fn: () => {
          throw boom;
        },
      },
    ];
    await expect(computePipeline(data, logprobs, nll, { regularizers, events })).rejects.toBe(boom);
    const exception = seen.find(([n]) => n === 'x:tinkex:regularizer:compute:exception');
    expect(exception?.[1]).toMatchObject({ regularizer_name: 'broken', weight: 1, reason: boom });
    expect(seen.some(([n]) => n === 'x:tinkex:custom_loss:stop')).toBe(false);
  });
});
