import { afterEach, describe, expect, it } from '@jest/globals';
import { ValidationError } from '../../src/index.js';
import { callsTo, E2E_MODES, setup, TEXT, textDatum } from './harness.js';

/**
 * A NaN or an infinity in `loss_fn_config` is refused before anything is sent, in every protocol, with a
 * reason that is true of it: 0.25 sends the config as a protobuf map of doubles, which can carry a NaN,
 * so "JSON has no NaN" (the JSON check's words) was wrong there; what holds in both is that the loss
 * would be NaN.
 */
let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describe.each(E2E_MODES)('loss_fn_config with NaN or an infinity (%s)', (mode) => {
  it.each([Number.NaN, Number.POSITIVE_INFINITY])(
    '%s is refused by name, saying why, nothing sent',
    async (bad) => {
      const env = await setup({}, {}, mode);
      cleanup.push(env.close);
      const training = await env.service.createLoraTrainingClient({
        base_model: 'meta-llama/Llama-3.2-1B',
        rank: 4,
      });
      const error = await training
        .forwardBackward([textDatum(TEXT)], 'cross_entropy', { clip: bad })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      const message = (error as Error).message;
      expect(message).toContain('/loss_fn_config/clip');
      expect(message).toContain('would make the loss NaN');
      expect(message).not.toContain('JSON');
      expect(callsTo(env, 'forward_backward')).toEqual([]);
    },
  );
});
