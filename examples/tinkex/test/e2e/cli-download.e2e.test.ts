import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setup } from './harness.js';
import { buildCli, runCli } from '../support/cli/run-cli.js';
import { outside, snapshot } from '../support/cli/tree.js';

/**
 * `tinkex checkpoint download` as a user runs it, in a directory that already holds unrelated files and
 * another checkpoint: only `<dir>/<run_id>_<weights|sampler_weights>_<name>` may ever change.
 */
describe('tinkex checkpoint download (spawned CLI)', () => {
  beforeAll(buildCli, 300_000);
  let env: Awaited<ReturnType<typeof setup>>;
  let cliEnv: Record<string, string>;
  let path: string;
  let folder: string;
  let work: string;

  beforeAll(async () => {
    env = await setup();
    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 4,
    });
    path = (await training.saveState('step-1')).path;
    folder = path.slice('tinker://'.length).replaceAll('/', '_');
    cliEnv = env.cliEnv;
  }, 30_000);
  afterAll(() => env.close());

  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'tinkex-cli-dl-'));
    await writeFile(join(work, 'notes.txt'), 'keep me');
    await mkdir(join(work, 'data'));
    await writeFile(join(work, 'data', 'keep.bin'), Buffer.from([1, 2, 3]));
    await mkdir(join(work, 'models', 'other-run_weights_old'), { recursive: true });
    await writeFile(join(work, 'models', 'other-run_weights_old', 'adapter_config.json'), '{"old":true}');
  });
  afterEach(() => rm(work, { recursive: true, force: true }));

  const cli = (...args: string[]) =>
    runCli(['checkpoint', 'download', '-f', 'json', ...args], { cwd: work, env: cliEnv });

  it('names the folder as both reference SDKs do', () => {
    expect(folder).toMatch(/^[^/]+_weights_step-1$/);
  });

  it('without --output extracts into ./<run>_weights_<name> and touches nothing else; --force replaces only it', async () => {
    const before = await snapshot(work);
    const first = await cli(path);
    expect(first.stderr).not.toMatch(/Error/);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      checkpoint_path: path,
      destination: join(work, folder),
    });
    const after = await snapshot(work);
    expect(outside(after, folder)).toEqual(before);
    expect(after[`${folder}/`]).toBe('dir');
    expect((await readdir(join(work, folder))).sort()).toEqual([
      'adapter_config.json',
      'adapter_model.safetensors',
      'checkpoint_complete',
    ]);

    await writeFile(join(work, folder, 'stale.txt'), 'from an older download');
    const forced = await cli(path, '--force');
    expect(forced.code).toBe(0);
    expect(outside(await snapshot(work), folder)).toEqual(outside(after, folder));
    expect((await readdir(join(work, folder))).sort()).toEqual([
      'adapter_config.json',
      'adapter_model.safetensors',
      'checkpoint_complete',
    ]);
  }, 30_000);

  it('with --output models --force keeps the other checkpoints in models/', async () => {
    const before = await snapshot(work);
    const result = await cli(path, '--output', 'models', '--force');
    expect(result.code).toBe(0);
    const after = await snapshot(work);
    expect(outside(after, `models/${folder}`)).toEqual(before);
    expect(after[`models/${folder}/adapter_config.json`]).toBeDefined();
    expect(JSON.parse(await readFile(join(work, 'models', folder, 'adapter_config.json'), 'utf8')).r).toBe(4);
  }, 30_000);

  it('refuses an existing target without --force: typed error, non-zero exit, nothing changed', async () => {
    await mkdir(join(work, folder));
    await writeFile(join(work, folder, 'mine.txt'), 'precious');
    const before = await snapshot(work);
    const result = await cli(path);
    expect(result.code).toBe(1);
    // The CLI's flag, not the SDK's option (`force: true`), pointer (`/output_dir`) or rule name.
    expect(result.stderr).toBe(
      `Error: DownloadTargetError: ${join(work, folder)} already exists\n` +
        'Pass --force to replace that folder and all it holds (nothing outside it is touched).\n',
    );
    expect(await snapshot(work)).toEqual(before);
  }, 30_000);

  it.each([
    ['an --output that is a file', ['--output', 'notes.txt', '--force'], async () => {}],
    ['an --output below a file', ['--output', 'notes.txt/sub', '--force'], async () => {}],
    [
      'a target that is a file',
      ['--force'],
      async () => writeFile(join(work, folder), 'a file, not a checkpoint'),
    ],
    [
      'a target that is a symlink to a folder elsewhere',
      ['--force'],
      async () => symlink(join(work, 'data'), join(work, folder)),
    ],
  ])(
    'refuses %s: typed error, non-zero exit, nothing deleted',
    async (_name, args, arrange) => {
      await arrange();
      const before = await snapshot(work);
      const result = await cli(path, ...args);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/DownloadTargetError/);
      expect(await snapshot(work)).toEqual(before);
    },
    30_000,
  );

  // Found in review (round 25): `-o <dir that did not exist>` created it, and a failure (here the
  // server's 404) left it behind, empty. A failed run removes what it created, and nothing else: not a
  // directory that existed before (even empty), not one something else was put into meanwhile.
  it.each([
    ['a new --output', ['--output', 'fresh']],
    ['a new --output several levels deep', ['--output', 'fresh/a/b']],
    ['a new --output inside an existing directory', ['--output', 'data/fresh']],
    ['an existing empty --output', ['--output', 'empty']],
  ])(
    'a failed download with %s leaves the tree as it was',
    async (_name, args) => {
      await mkdir(join(work, 'empty'));
      const before = await snapshot(work);
      const missing = path.replace(/[^/]+$/, 'no-such-checkpoint');
      const result = await cli(missing, ...args);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/not ?found|404/i);
      expect(await snapshot(work)).toEqual(before);
    },
    30_000,
  );

  it('refuses a malformed tinker path before anything is sent or created', async () => {
    const before = await snapshot(work);
    const result = await cli('tinker://run/bogus/x', '--force');
    expect(result.code).toBe(2); // a usage error, with the usage
    expect(result.stderr).toMatch(/expected a checkpoint path like tinker:\/\//);
    expect(await snapshot(work)).toEqual(before);
  }, 30_000);
});
