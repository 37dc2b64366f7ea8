import { afterEach, expect, it } from '@jest/globals';
import { TensorData, ValidationError, datum } from '../../src/index.js';
import { describeInModes, setup, textDatum, type E2EMode } from './harness.js';

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

// A misspelt loss input (`weight` for `weights`) used to be sent: the server read no weights and trained
// every token at weight 1, silently. datum() and forwardBackwardCustom already refused such a key.
const MODES: readonly E2EMode[] = ['v025', 'legacy'];
describeInModes(MODES, 'forward and forwardBackward refuse an unknown loss_fn_inputs key', () => {
  it.each(MODES.flatMap((mode) => [[mode, 'forward'] as const, [mode, 'forwardBackward'] as const]))(
    '%s %s: a ValidationError naming the path and the known keys, nothing sent',
    async (mode, method) => {
      const env = await setup({}, {}, mode);
      cleanup.push(env.close);
      const training = await env.service.createLoraTrainingClient({
        base_model: 'tinkex/byte-tiny',
        rank: 4,
      });
      const good = textDatum('abcd');
      const { weights, ...rest } = good.loss_fn_inputs;
      const misspelt = { ...good, loss_fn_inputs: { ...rest, weight: weights } };
      const before = trainingCalls(env);
      const error = await training[method]([good, misspelt], 'cross_entropy').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues).toEqual([
        {
          pointer: '/data/1/loss_fn_inputs/weight',
          rule: 'additionalProperties',
          message: expect.stringContaining('data[1].loss_fn_inputs.weight is not a loss input') as unknown,
        },
      ]);
      const { message } = (error as ValidationError).issues[0];
      expect(message).toContain('did you mean "weights"?');
      expect(message).toContain('target_tokens, weights, advantages, logprobs');
      expect(trainingCalls(env)).toEqual(before);
    },
  );

  it('still sends every documented key, with every built-in loss', async () => {
    const env = await setup({}, {}, 'v025');
    cleanup.push(env.close);
    const training = await env.service.createLoraTrainingClient({ base_model: 'tinkex/byte-tiny', rank: 4 });
    const { target_tokens, weights } = textDatum('abcd').loss_fn_inputs;
    const n = target_tokens.data.length;
    const all = datum(textDatum('abcd').model_input, {
      target_tokens,
      weights,
      advantages: new Array<number>(n).fill(0.5),
      logprobs: new Array<number>(n).fill(-1),
      clip_low_threshold: TensorData.fromArray(new Array<number>(n).fill(0.8), 'float32'),
      clip_high_threshold: new Array<number>(n).fill(1.2),
    });
    // The emulator computes only cross_entropy and importance_sampling; it answers 400 to the others,
    // which still shows the client sent them.
    for (const loss of ['cross_entropy', 'importance_sampling', 'ppo', 'cispo', 'dro'] as const) {
      const sent = trainingCalls(env);
      const outcome = await training.forward([all], loss).catch((e: unknown) => e);
      expect(outcome).not.toBeInstanceOf(ValidationError);
      expect(trainingCalls(env)).toBeGreaterThan(sent);
    }
  });
});

/** The requests a training pass could make (heartbeats and telemetry run on their own clock). */
function trainingCalls(env: Awaited<ReturnType<typeof setup>>): number {
  return env.emulator.requestLog().filter((e) => !/session_heartbeat|telemetry/.test(e.path)).length;
}
