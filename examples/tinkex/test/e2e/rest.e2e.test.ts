import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import * as tar from 'tar';
import {
  ConflictError,
  downloadCheckpoint,
  extractSafely,
  UnsafeArchiveError,
  ValidationError,
} from '../../src/index.js';
import { E2E_MODES, setup, TEXT, textDatum } from './harness.js';

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), 'tinkex-e2e-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe.each(E2E_MODES)('RestClient and checkpoint download (%s)', (mode) => {
  it('lists and reads runs, checkpoints and sessions, sets a TTL, publishes, and downloads the archive', async () => {
    const env = await setup({}, {}, mode);
    cleanup.push(env.close);
    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 4,
    });
    await training.forwardBackward([textDatum(TEXT)], 'cross_entropy');
    const { path } = await training.saveState('ckpt');
    const sampler = await training.saveWeightsForSampler('for-sampling');
    const rest = env.service.createRestClient();

    const runs = await rest.listTrainingRuns();
    expect(runs.training_runs.map((r) => r.training_run_id)).toEqual([training.model_id]);
    expect((await rest.getTrainingRunByTinkerPath(path)).lora_rank).toBe(4);
    expect((await rest.iterateTrainingRuns({ page_size: 1 }).toArray()).length).toBe(1);
    const checkpoints = await rest.listCheckpoints(training.model_id);
    expect(checkpoints.checkpoints.map((c) => c.tinker_path).sort()).toEqual([path, sampler.path].sort());
    expect((await rest.listUserCheckpoints()).checkpoints).toHaveLength(2);
    const session = (await rest.listSessions()).sessions[0];
    expect((await rest.getSession(session)).training_run_ids).toEqual([training.model_id]);
    expect((await rest.getWeightsInfoByTinkerPath(path)).lora_rank).toBe(4);

    await rest.setCheckpointTtlFromTinkerPath(path, 3600);
    expect(
      (await rest.listCheckpoints(training.model_id)).checkpoints.find((c) => c.tinker_path === path)
        ?.expires_at,
    ).toBeTruthy();
    await rest.setCheckpointTtlFromTinkerPath(path, null);
    await rest.publishCheckpointFromTinkerPath(path);
    await expect(rest.publishCheckpointFromTinkerPath(path)).rejects.toBeInstanceOf(ConflictError);
    await rest.unpublishCheckpointFromTinkerPath(path);

    const archive = await rest.getCheckpointArchiveUrlFromTinkerPath(path);
    expect(archive.url).toMatch(/\/downloads\/.+\.tar$/);
    expect(archive.expires.getTime()).toBeGreaterThan(Date.now());

    const out = join(await tempDir(), 'ckpt');
    const progress: number[] = [];
    const { files, destination } = await downloadCheckpoint(rest, path, {
      output_dir: out,
      onProgress: (p) => progress.push(p.downloadedBytes),
    });
    expect(files).toEqual(['adapter_config.json', 'adapter_model.safetensors', 'checkpoint_complete']);
    expect(destination).toBe(join(out, path.slice('tinker://'.length).replaceAll('/', '_')));
    expect(JSON.parse(await readFile(join(destination, 'adapter_config.json'), 'utf8')).r).toBe(4);
    expect(progress.at(-1)).toBeGreaterThan(0);
    await expect(downloadCheckpoint(rest, path, { output_dir: out })).rejects.toBeInstanceOf(ValidationError);
    await downloadCheckpoint(rest, path, { output_dir: out, force: true });
    expect(await readdir(out)).toEqual([basename(destination)]);

    await rest.deleteCheckpointFromTinkerPath(sampler.path);
    expect((await rest.listCheckpoints(training.model_id)).checkpoints).toHaveLength(1);
  });

  it('streams an archive padded to a chosen size, so large downloads can be measured', async () => {
    const env = await setup({ archivePaddingBytes: 3 * 1024 * 1024 + 7 }, {}, mode);
    cleanup.push(env.close);
    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 4,
    });
    const { path } = await training.saveState('padded');
    const out = join(await tempDir(), 'padded');
    let downloaded = 0;
    const { files, destination } = await downloadCheckpoint(env.service.createRestClient(), path, {
      output_dir: out,
      onProgress: (p) => (downloaded = p.downloadedBytes),
    });
    expect(files).toEqual([
      'adapter_config.json',
      'adapter_model.safetensors',
      'checkpoint_complete',
      'padding.bin',
    ]);
    const padding = await readFile(join(destination, 'padding.bin'));
    expect(padding.length).toBe(3 * 1024 * 1024 + 7);
    expect(padding.every((b) => b === 0)).toBe(true);
    expect(downloaded).toBeGreaterThan(3 * 1024 * 1024);
  });

  it.each([
    [
      'a ../ entry',
      async (src: string) => ({
        entries: ['../evil.txt'],
        cwd: join(src, 'inner'),
        setup: () => writeFile(join(src, 'evil.txt'), 'x'),
      }),
    ],
    [
      'an escaping symlink',
      async (src: string) => ({
        entries: ['link'],
        cwd: src,
        setup: () => symlink('/etc/passwd', join(src, 'link')),
      }),
    ],
  ])('refuses a malicious archive with %s and leaves nothing outside output_dir', async (_name, make) => {
    const root = await tempDir();
    const src = join(root, 'src');
    await mkdir(join(src, 'inner'), { recursive: true });
    const spec = await make(src);
    await spec.setup();
    const archive = join(root, 'evil.tar');
    await tar.c({ file: archive, cwd: spec.cwd, preservePaths: true }, spec.entries);
    const target = join(root, 'out');
    await mkdir(target);
    await expect(extractSafely(archive, target)).rejects.toBeInstanceOf(UnsafeArchiveError);
    expect(await readdir(target)).toEqual([]);
    expect((await readdir(root)).sort()).toEqual(['evil.tar', 'out', 'src']);
  });
});
