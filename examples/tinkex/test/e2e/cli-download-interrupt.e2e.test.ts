import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setup } from './harness.js';
import { appears } from '../support/appears.js';
import { buildCli, startCli } from '../support/cli/run-cli.js';

describe('tinkex checkpoint download interrupted with Ctrl-C', () => {
  beforeAll(buildCli, 300_000);
  let env: Awaited<ReturnType<typeof setup>>;
  let path: string;
  let work: string;

  beforeAll(async () => {
    // 512 MiB of (sparse) padding: the transfer takes seconds, so the signal lands mid-download.
    env = await setup({ archivePaddingBytes: 512 * 1024 * 1024 });
    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 4,
    });
    path = (await training.saveState('big')).path;
    work = await mkdtemp(join(tmpdir(), 'tinkex-cli-int-'));
    await writeFile(join(work, 'notes.txt'), 'keep me');
  }, 30_000);
  afterAll(async () => {
    await env.close();
    await rm(work, { recursive: true, force: true });
  });

  it('stops, removes its staging folder, leaves everything else, and exits 130', async () => {
    const staged = appears(work, '.tinkex-download-');
    const { child, done } = startCli(['checkpoint', 'download', path], {
      cwd: work,
      env: env.cliEnv,
    });
    await staged;
    child.kill('SIGINT');
    const result = await done;
    expect(result.stderr).toContain('interrupted');
    expect(result.code).toBe(130);
    expect(await readdir(work)).toEqual(['notes.txt']);
  }, 60_000);
});
