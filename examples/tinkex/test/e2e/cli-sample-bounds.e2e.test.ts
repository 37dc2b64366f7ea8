import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tmpdir } from 'node:os';
import { ValidationError } from 'pristine-kernel';
import { callsTo, setup } from './harness.js';
import { buildCli, runCli } from '../support/cli/run-cli.js';
import { SampleRequestSchema } from '../../src/types/sampling.js';
import { checkWire } from '../../src/types/wire-check.js';

/**
 * Found by hand (round 25): `tinkex sample --seed -1` and `--max-tokens 0` were refused (exit 2) while
 * the SDK accepts them and the Python SDK sends them: the CLI had bounds of its own. Its flags are now
 * checked against the SDK's schemas. Each edge value of each flag: the CLI takes it (exit 0, sent) exactly
 * when the SDK's request schema does, and otherwise exits 2 naming the flag, with nothing sent.
 */
const FLAGS: Record<string, string> = {
  '--max-tokens': 'max_tokens',
  '--temperature': 'temperature',
  '--top-k': 'top_k',
  '--top-p': 'top_p',
  '--seed': 'seed',
  '--num-samples': 'num_samples',
};
const CASES: [flag: string, value: string][] = [
  ['--max-tokens', '0'],
  ['--max-tokens', '-1'],
  ['--max-tokens', '1.5'],
  ['--temperature', '0'],
  ['--temperature', '-0.1'],
  ['--top-k', '-1'],
  ['--top-k', '0'],
  ['--top-k', '-2'],
  ['--top-p', '0'],
  ['--top-p', '1'],
  ['--top-p', '1.5'],
  ['--seed', '-1'],
  ['--seed', '0'],
  ['--seed', '1.5'],
  ['--seed', '9007199254740992'],
  ['--num-samples', '1'],
  ['--num-samples', '0'],
];

/** Whether the SDK's `asample` schema takes the flag's value. */
function sdkTakes(flag: string, value: string): boolean {
  const field = FLAGS[flag];
  const sampling_params = field === 'num_samples' ? {} : { [field]: Number(value) };
  const num_samples = field === 'num_samples' ? Number(value) : 1;
  try {
    checkWire(SampleRequestSchema, { prompt: { chunks: [] }, num_samples, sampling_params }, 'sample');
    return true;
  } catch (error) {
    if (error instanceof ValidationError) return false;
    throw error;
  }
}

describe('tinkex sample takes what the SDK takes (spawned CLI)', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  beforeAll(async () => {
    const [ready] = await Promise.all([setup(), buildCli()]);
    env = ready;
  }, 300_000);
  afterAll(async () => env.close());

  it('each edge value of each flag: sent when the SDK takes it, else exit 2 naming the flag', async () => {
    for (const [flag, value] of CASES) {
      const before = callsTo(env, 'asample').length;
      const base = ['sample', '--base-model', 'meta-llama/Llama-3.2-1B', '--prompt', 'hi'];
      const result = await runCli(
        [...base, '--tokenizer', 'tinkex/byte-level', `${flag}=${value}`, '-f', 'json'],
        {
          cwd: tmpdir(),
          env: env.cliEnv,
        },
      );
      const sent = callsTo(env, 'asample').length - before;
      if (sdkTakes(flag, value)) {
        expect({ flag, value, code: result.code, stderr: result.stderr, sent }).toEqual({
          flag,
          value,
          code: 0,
          stderr: '',
          sent: 1,
        });
      } else {
        expect({ flag, value, code: result.code, sent }).toEqual({ flag, value, code: 2, sent: 0 });
        expect(result.stderr).toContain(`'${flag} <`);
        expect(result.stderr).toContain(`argument '${value}' is invalid. ${FLAGS[flag]} must`);
      }
    }
  }, 120_000);
});
