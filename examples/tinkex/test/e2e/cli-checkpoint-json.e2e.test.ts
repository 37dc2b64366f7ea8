import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tmpdir } from 'node:os';
import { setup } from './harness.js';
import { buildCli, runCli } from '../support/cli/run-cli.js';

/**
 * `-f json` on the checkpoint commands that change one checkpoint: found by hand, `checkpoint publish`,
 * `unpublish` and `set-ttl` printed nothing at all with `-f json` (their line is for people), so a script
 * piping them to `jq` got empty input and no record of what was changed.
 */
describe('tinkex checkpoint publish / unpublish / set-ttl -f json (spawned CLI)', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let path: string;

  beforeAll(async () => {
    const [ready] = await Promise.all([setup(), buildCli()]);
    env = ready;
    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 4,
    });
    path = (await training.saveState('json')).path;
  }, 300_000);
  afterAll(() => env.close());

  const cli = (...args: string[]) => runCli(args, { cwd: tmpdir(), env: env.cliEnv });
  const json = async (...args: string[]) => {
    const result = await cli(...args);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    return JSON.parse(result.stdout) as unknown;
  };

  it('prints one JSON object saying what changed, and the table format keeps its line', async () => {
    expect(await json('checkpoint', 'publish', path, '-f', 'json')).toEqual({
      tinker_path: path,
      public: true,
    });
    expect(await json('-f', 'json', 'checkpoint', 'set-ttl', path, '--ttl', '7200')).toEqual({
      tinker_path: path,
      ttl_seconds: 7200,
    });
    expect(await json('checkpoint', 'set-ttl', path, '--remove', '--format=json')).toEqual({
      tinker_path: path,
      ttl_seconds: null,
    });
    expect(await json('checkpoint', 'unpublish', path, '-f', 'json')).toEqual({
      tinker_path: path,
      public: false,
    });
    // The server agrees with what was printed.
    expect(await json('checkpoint', 'info', path, '-f', 'json')).toMatchObject({
      public: false,
      expires_at: null,
    });
    expect((await cli('checkpoint', 'publish', path)).stdout).toBe(`Published ${path}\n`);
  }, 60_000);

  it('checkpoint delete -f json prints its result when no checkpoint matches, and deletes nothing', async () => {
    // Found by hand: the "No checkpoints found" note went to stderr and stdout stayed empty.
    const runId = path.slice('tinker://'.length).split('/')[0]!;
    const result = await cli(
      'checkpoint',
      'delete',
      '--run-id',
      runId,
      '--before',
      '2000-01-01',
      '-y',
      '-f',
      'json',
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ deleted_count: 0, earlier_attempt_applied: [], failed: [] });
    expect(result.stderr).toContain(`No checkpoints found for run ${runId} matching filters`);
    expect(await json('checkpoint', 'info', path, '-f', 'json')).toMatchObject({ tinker_path: path });
  }, 60_000);
});
