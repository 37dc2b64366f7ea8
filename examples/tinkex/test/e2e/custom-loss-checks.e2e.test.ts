import { afterEach, describe, expect, it } from '@jest/globals';
import { ValidationError, type CustomLoss } from '../../src/index.js';
import { callsTo, setup, textDatum } from './harness.js';

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

// forwardBackwardCustom makes a forward pass before it runs the loss; a loss that can never run used to
// be found only then, after a forward pass the caller could not use.
describe('forwardBackwardCustom checks the loss before its forward pass', () => {
  it.each([
    ['a string', 'cross_entropy'],
    ['an object without autodiff', {}],
    ['autodiff that is not a function', { autodiff: 1 }],
    ['null', null],
  ])('refuses %s with a ValidationError at /loss, sending nothing', async (_name, loss) => {
    const env = await setup();
    cleanup.push(env.close);
    const training = await env.service.createLoraTrainingClient({ base_model: 'tinkex/byte-tiny', rank: 4 });
    const error = await training
      .forwardBackwardCustom([textDatum('abc')], loss as unknown as CustomLoss)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([
      expect.objectContaining({ pointer: '/loss', rule: 'type' }),
    ]);
    expect(callsTo(env, 'forward_backward')).toHaveLength(0);
    expect(callsTo(env, 'forward')).toHaveLength(0);
  });
});
