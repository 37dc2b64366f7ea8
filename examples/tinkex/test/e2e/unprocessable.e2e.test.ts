import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tmpdir } from 'node:os';
import { UnprocessableEntityError, type TrainingClient } from '../../src/index.js';
import { buildCli, runCli } from '../support/cli/run-cli.js';
import { callsTo, setup, textDatum } from './harness.js';

/** What the emulator's chaos `422` says, in FastAPI's request-validation shape (`detail: [{loc, msg}]`). */
const SAID = 'body: Value error, request refused by validation (chaos)';

/**
 * A 422 is FastAPI's answer to a body it cannot validate, and the official SDK raises
 * `UnprocessableEntityError` for it (`_client.py`), fatal while polling a future too
 * (`api_future_impl.py`): the same request can never pass. Tinkex must type it, say what the server
 * named (not the raw JSON), send it once, and go on afterwards (a refused training submission's seq_id
 * is spent on both sides, so nothing waits for it).
 */
describe('a 422 from the server (FastAPI validation answer)', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let training: TrainingClient;

  beforeAll(async () => {
    [env] = await Promise.all([setup(), buildCli()]);
    training = await env.service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 4 });
  }, 300_000);
  afterAll(() => env.close());

  /** The error of `call` under `chaos`, and how many requests went to `path` meanwhile. */
  async function refused(chaos: string, path: string, call: () => Promise<unknown>) {
    const before = callsTo(env, path).length;
    env.emulator.setChaos(chaos);
    try {
      const error = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      return { error: error as UnprocessableEntityError, sent: callsTo(env, path).length - before };
    } finally {
      env.emulator.setChaos('');
    }
  }

  function expectTyped(error: UnprocessableEntityError) {
    expect(error).toBeInstanceOf(UnprocessableEntityError);
    expect(error.status).toBe(422);
    expect(error.retryable).toBe(false);
    expect(error.message).toBe(`422 ${SAID}`);
  }

  it('on a REST read: typed, named, sent once', async () => {
    const rest = env.service.createRestClient();
    const { error, sent } = await refused('422=1;scope=rest', 'training_runs', () => rest.listTrainingRuns());
    expectTyped(error);
    expect(sent).toBe(1);
  });

  it('on a training submission: typed, sent once, and the next submission runs (its seq_id is not awaited)', async () => {
    const { error, sent } = await refused('422=1;scope=training', 'forward_backward', () =>
      training.forwardBackward([textDatum('abc')], 'cross_entropy'),
    );
    expectTyped(error);
    expect(sent).toBe(1);
    const next = await training.forwardBackward([textDatum('abc')], 'cross_entropy');
    expect(next.metrics['loss:sum']).toEqual(expect.any(Number));
  });

  it("on a future's poll: fatal at the first answer (as the official SDK's polling), never re-polled", async () => {
    const { error, sent } = await refused('422=1;scope=futures', 'retrieve_future', () =>
      training.optimStep({ learning_rate: 1e-4 }),
    );
    expectTyped(error);
    expect(sent).toBe(1);
  });

  it('the CLI prints it as the official CLI words it, with what the server said, exit 1, one request', async () => {
    const before = callsTo(env, 'training_runs').length;
    env.emulator.setChaos('422=1;scope=rest');
    try {
      const result = await runCli(['run', 'list'], { cwd: tmpdir(), env: env.cliEnv });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('Error: Invalid data provided');
      expect(result.stderr).toContain(`Details: 422 ${SAID}`);
      // One clean message: no stack, no raw JSON of the answer.
      expect(result.stderr).not.toMatch(/\n\s+at |"detail"|"loc"/);
      expect(callsTo(env, 'training_runs').length - before).toBe(1);
    } finally {
      env.emulator.setChaos('');
    }
  }, 60_000);
});
