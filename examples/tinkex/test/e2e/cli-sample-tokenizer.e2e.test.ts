import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setup } from './harness.js';
import { buildCli, runCli } from '../support/cli/run-cli.js';

/**
 * Found by hand: `tinkex sample --tokenizer <id that is not on this machine>` first connected, negotiated
 * and created a sampling session on the server, and only then failed, with the SDK's ValidationError
 * (exit 1). A bad --tokenizer is a bad argument: it is refused before anything is sent, naming it.
 */
describe('tinkex sample --tokenizer that is not available (spawned CLI)', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let empty: string;

  beforeAll(async () => {
    const [ready] = await Promise.all([setup(), buildCli()]);
    env = ready;
    empty = await mkdtemp(join(tmpdir(), 'tinkex-no-tokenizers-'));
  }, 300_000);
  afterAll(async () => {
    await env.close();
    await rm(empty, { recursive: true, force: true });
  });

  it('is a usage error naming --tokenizer and where it looked; nothing reaches the server', async () => {
    const before = env.emulator.requestLog().length;
    const result = await runCli(
      ['sample', '--base-model', 'meta-llama/Llama-3.2-1B', '--prompt', 'hi', '--tokenizer', 'acme/missing'],
      {
        cwd: tmpdir(),
        // No Hugging Face cache or tokenizer folder of this machine's can hold it.
        env: { ...env.cliEnv, HF_HOME: empty, TINKEX_TOKENIZER_CACHE: empty },
      },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^Usage: tinkex sample .*\n.*\n\nError: --tokenizer acme\/missing is not available locally/,
    );
    expect(result.stderr).toContain(join(empty, 'acme', 'missing'));
    expect(result.stdout).toBe('');
    expect(env.emulator.requestLog().length).toBe(before);
  }, 60_000);
});
