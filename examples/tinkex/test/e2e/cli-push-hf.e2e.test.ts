import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tmpdir } from 'node:os';
import { setup } from './harness.js';
import { buildCli, runCli } from '../support/cli/run-cli.js';
import { startFakeHub, TEST_TOKEN, type FakeHub } from '../support/fake-hub/index.js';

/** `tinkex checkpoint push-hf` as a user runs it: emulator checkpoint → fake Hub, in a child process. */
describe('tinkex checkpoint push-hf (spawned CLI)', () => {
  beforeAll(buildCli, 300_000);
  let env: Awaited<ReturnType<typeof setup>>;
  let hub: FakeHub;
  let path: string;
  let cliEnv: Record<string, string>;

  beforeAll(async () => {
    [env, hub] = await Promise.all([setup(), startFakeHub()]);
    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 4,
    });
    path = (await training.saveState('final')).path;
    cliEnv = {
      ...env.cliEnv,
      HF_ENDPOINT: hub.url,
      HF_TOKEN: TEST_TOKEN,
    };
  }, 30_000);
  afterAll(async () => {
    await Promise.all([env.close(), hub.close()]);
  });

  const cli = (args: string[], extra: Record<string, string> = {}) =>
    runCli(['checkpoint', 'push-hf', ...args], { cwd: tmpdir(), env: { ...cliEnv, ...extra } });

  it('--help needs no API key or token and shows the tinker CLI options', async () => {
    const result = await runCli(['checkpoint', 'push-hf', '--help'], { cwd: tmpdir(), env: {} });
    expect(result.code).toBe(0);
    for (const flag of [
      '--repo',
      '--public',
      '--revision',
      '--commit-message',
      '--create-pr',
      '--allow-pattern',
      '--ignore-pattern',
      '--no-model-card',
      '--overwrite',
      '--yes',
    ])
      expect(result.stdout).toContain(flag);
  });

  it('pushes the adapter and prints the result as JSON; a second, different push is refused (exit 1) until --overwrite -y', async () => {
    const first = await cli(['-f', 'json', path, '--repo', 'alice/cli-adapter', '--commit-message', 'first']);
    expect(first.stderr).not.toMatch(/Error/);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      checkpoint_path: path,
      repo_id: 'alice/cli-adapter',
      revision: 'main',
      public: false,
      files: ['README.md', 'adapter_config.json', 'adapter_model.safetensors'],
    });
    expect(hub.store.resolve(hub.store.get('alice/cli-adapter')!, 'main')!.title).toBe('first');

    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 4,
    });
    const other = (await training.saveState('final')).path;
    const refused = await cli([other, '--repo', 'alice/cli-adapter']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/HubOverwriteError: .*different Tinker checkpoint/);
    // Without a terminal, --overwrite needs -y rather than waiting for an answer.
    const unconfirmed = await cli([other, '--repo', 'alice/cli-adapter', '--overwrite']);
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toContain('Pass -y/--yes');
    const replaced = await cli([other, '--repo', 'alice/cli-adapter', '--overwrite', '-y']);
    expect(replaced.code).toBe(0);
    expect(replaced.stdout).toContain('Checkpoint Hub Upload');
    expect(hub.files('alice/cli-adapter').get('README.md')!.toString()).toContain(other);
  }, 60_000);

  it('a bad token exits 1 with a typed error that does not show the token', async () => {
    const bad = 'hf_cli_bad_token_value';
    const result = await cli([path, '--repo', 'alice/never'], { HF_TOKEN: bad });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/HubAuthError: .*refused the token \(HTTP 401\)/);
    expect(result.stdout + result.stderr).not.toContain(bad);
    expect(hub.store.get('alice/never')).toBeUndefined();
  });

  it('--public and --private together are a usage error (exit 2)', async () => {
    const result = await cli([path, '--public', '--private']);
    expect(result.code).toBe(2);
  });
});
