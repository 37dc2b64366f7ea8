import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { inspect } from 'node:util';
import { CaptureLogger, Ports, ValidationError } from 'pristine-kernel';
import { HubAuthError, HubOverwriteError } from '../../src/hub/hub-errors.js';
import { ServiceClient } from '../../src/index.js';
import { pushCheckpointToHub, type PushProgress } from '../../src/hub/push-checkpoint.js';
import { API_KEY, setup } from '../e2e/harness.js';
import { startFakeHub, TEST_TOKEN, type FakeHub } from '../support/fake-hub/index.js';
import { expectMisspeltKey } from '../support/misspelt-key.js';

describe('pushCheckpointToHub (emulator checkpoint → fake Hub)', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let hub: FakeHub;
  let path: string;
  let runId: string;
  const hubOptions = () => ({ hubUrl: hub.url, token: TEST_TOKEN, env: {} });

  beforeAll(async () => {
    [env, hub] = await Promise.all([setup(), startFakeHub({ multipartThreshold: 64 * 1024 })]);
    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 4,
    });
    runId = training.model_id;
    path = (await training.saveState('step-1')).path;
  }, 30_000);
  afterAll(async () => {
    await Promise.all([env.close(), hub.close()]);
  });

  it('creates the repo, uploads the safetensors through LFS (multipart) and commits config, weights and card', async () => {
    const events: PushProgress[] = [];
    const n = hub.requests.length;
    const result = await pushCheckpointToHub(env.service.createRestClient(), path, {
      ...hubOptions(),
      repo_id: 'alice/my-adapter',
      onProgress: (e) => events.push(e),
    });
    expect(result).toMatchObject({
      checkpoint_path: path,
      repo_id: 'alice/my-adapter',
      revision: 'main',
      public: false,
      files: ['README.md', 'adapter_config.json', 'adapter_model.safetensors'],
      commit_oid: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    const repo = hub.store.get('alice/my-adapter')!;
    expect(repo.private).toBe(true);
    const commit = hub.store.resolve(repo, 'main')!;
    expect(commit.title).toBe(`Upload adapter from ${path}`);
    expect(commit.oid).toBe(result.commit_oid);
    const weights = commit.files.get('adapter_model.safetensors')!;
    expect(weights.lfs).toBeDefined();
    expect(weights.size).toBeGreaterThan(64 * 1024);
    expect(commit.files.get('adapter_config.json')!.lfs).toBeUndefined();
    expect(commit.files.has('checkpoint_complete')).toBe(false);

    const files = hub.files('alice/my-adapter');
    expect(JSON.parse(files.get('adapter_config.json')!.toString())).toMatchObject({
      base_model_name_or_path: 'meta-llama/Llama-3.2-1B',
      r: 4,
    });
    const card = files.get('README.md')!.toString();
    expect(card).toContain(`tinker_path: ${path}`);
    expect(card).toContain('- base_model:adapter:meta-llama/Llama-3.2-1B');
    expect(card).toContain('- LoRA rank: 4');
    expect(files.get('adapter_model.safetensors')!.readBigUInt64LE(0)).toBeGreaterThan(0n);

    const sent = hub.requests.slice(n).map((r) => `${r.host} ${r.method} ${r.url.split('?')[0]}`);
    expect(sent).toEqual(
      expect.arrayContaining([
        'hub GET /api/whoami-v2',
        'hub POST /api/repos/create',
        'hub POST /api/models/alice/my-adapter/preupload/main',
        'hub POST /alice/my-adapter.git/info/lfs/objects/batch',
        'hub POST /api/models/alice/my-adapter/commit/main',
      ]),
    );
    expect(
      sent.filter((s) => /^cdn PUT \/lfs-upload\/[0-9a-f]{64}\/part\/\d+$/.test(s)).length,
    ).toBeGreaterThan(1);
    // The token went to the Hub host only.
    expect(
      hub.requests
        .slice(n)
        .filter((r) => r.host === 'cdn')
        .every((r) => !r.authorization),
    ).toBe(true);
    expect(events.map((e) => e.phase)).toEqual(
      expect.arrayContaining([
        'downloading',
        'preuploading',
        'uploadingLargeFiles',
        'uploading',
        'committing',
      ]),
    );
    expect(
      events.some(
        (e) => e.phase === 'uploading' && e.file === 'adapter_model.safetensors' && e.progress === 1,
      ),
    ).toBe(true);
    // The temporary download is gone.
    expect((await readdir(tmpdir())).filter((d) => d.startsWith('tinkex-push-hf-'))).toEqual([]);
  });

  it('a file PUT whole (no multipart) reports its bytes as they go, not only 0 and 1', async () => {
    // A Hub that never asks for multipart: the library PUTs each file whole and hands hubFetch a progressHint.
    const whole = await startFakeHub({ multipartThreshold: 2 ** 40 });
    // Rank 64: weights of about 1.1 MB, several 256 KiB steps.
    const big = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 64,
    });
    const bigPath = (await big.saveState('big')).path;
    const events: PushProgress[] = [];
    try {
      await pushCheckpointToHub(env.service.createRestClient(), bigPath, {
        hubUrl: whole.url,
        token: TEST_TOKEN,
        env: {},
        repo_id: 'alice/whole-files',
        onProgress: (e) => events.push(e),
      });
      expect(
        whole.requests.some(
          (r) => r.host === 'cdn' && /^\/lfs-upload\/[0-9a-f]{64}$/.test(r.url.split('?')[0]!),
        ),
      ).toBe(true);
    } finally {
      await whole.close();
    }
    const weights = events
      .filter((e) => e.phase === 'uploading' && e.file === 'adapter_model.safetensors')
      .map((e) => (e as { progress: number }).progress);
    // Before, the library's own 0 and 1 were all the CLI's bar got for a file PUT whole.
    expect(weights[0]).toBe(0);
    expect(weights).toEqual([...weights].sort((a, b) => a - b));
    expect(weights.at(-1)).toBe(1);
    expect(weights.filter((p) => p > 0 && p < 1).length).toBeGreaterThanOrEqual(2);
  });

  it('re-pushing the same checkpoint is allowed; another checkpoint into that repo is refused unless overwrite', async () => {
    const rest = env.service.createRestClient();
    const options = { ...hubOptions(), repo_id: 'alice/twice' };
    await pushCheckpointToHub(rest, path, options);
    const first = hub.store.resolve(hub.store.get('alice/twice')!, 'main')!.oid;
    const n = hub.requests.length;
    const again = await pushCheckpointToHub(rest, path, options);
    // The Hub already has every file: nothing is uploaded twice, and no empty commit is made (as
    // huggingface_hub skips one); found by hand, each identical re-push added a commit.
    expect(hub.requests.slice(n).filter((r) => r.host === 'cdn')).toEqual([]);
    expect(hub.store.resolve(hub.store.get('alice/twice')!, 'main')!.oid).toBe(first);
    expect(again).toMatchObject({
      unchanged: true,
      files: ['README.md', 'adapter_config.json', 'adapter_model.safetensors'],
    });
    expect(again.commit_oid).toBeUndefined();

    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 4,
    });
    const other = (await training.saveState('other')).path;
    const before = hub.store.resolve(hub.store.get('alice/twice')!, 'main')!.oid;
    const refused = await pushCheckpointToHub(rest, other, options).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HubOverwriteError);
    expect((refused as Error).message).toMatch(
      /different Tinker checkpoint: found tinker:\/\/.*expected tinker:\/\//,
    );
    expect(hub.store.resolve(hub.store.get('alice/twice')!, 'main')!.oid).toBe(before);

    // Without model cards (so no README names a checkpoint), other weights: the changed files are named.
    const bare = { ...hubOptions(), repo_id: 'alice/bare', add_model_card: false };
    await pushCheckpointToHub(rest, path, bare);
    await expect(pushCheckpointToHub(rest, other, bare)).rejects.toMatchObject({
      name: 'HubOverwriteError',
      files: ['adapter_config.json', 'adapter_model.safetensors'],
    });

    const replaced = await pushCheckpointToHub(rest, other, { ...options, overwrite: true });
    expect(replaced.commit_oid).not.toBe(first);
    expect(hub.files('alice/twice').get('README.md')!.toString()).toContain(other);
  });

  it('without a repo id derives tinker-<base>-<run> in the token owner namespace, on a branch named after the checkpoint', async () => {
    const result = await pushCheckpointToHub(env.service.createRestClient(), path, {
      ...hubOptions(),
      public: true,
    });
    // `:` is not allowed in a repo name: the sanitizer makes it `-`, as the tinker CLI does.
    expect(result).toMatchObject({
      repo_id: `alice/tinker-Llama-3.2-1B-${runId.replaceAll(':', '-')}`,
      revision: 'weights-step-1',
      public: true,
    });
    const repo = hub.store.get(result.repo_id)!;
    expect(repo.private).toBe(false);
    expect(hub.files(result.repo_id, 'weights-step-1').has('adapter_model.safetensors')).toBe(true);
    expect(hub.files(result.repo_id, 'main').size).toBe(0);
  });

  it('create_pr commits to a pull request ref and returns its URL', async () => {
    const result = await pushCheckpointToHub(env.service.createRestClient(), path, {
      ...hubOptions(),
      repo_id: 'alice/pr-target',
      create_pr: true,
    });
    expect(result.pull_request_url).toMatch(/\/alice\/pr-target\/discussions\/1$/);
    expect(hub.files('alice/pr-target', 'refs/pr/1').has('adapter_config.json')).toBe(true);
    expect(hub.files('alice/pr-target', 'main').size).toBe(0);
  });

  it('a bad or missing token fails before the checkpoint is downloaded, and never shows the token', async () => {
    const rest = env.service.createRestClient();
    const bad = 'hf_definitely_wrong_token';
    const error = await pushCheckpointToHub(rest, path, {
      hubUrl: hub.url,
      token: bad,
      env: {},
      repo_id: 'alice/x',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubAuthError);
    expect(error).toMatchObject({ reason: 'invalid' });
    expect(`${inspect(error)} ${JSON.stringify(error)} ${(error as Error).stack}`).not.toContain(bad);
    expect(hub.store.get('alice/x')).toBeUndefined();

    await expect(
      pushCheckpointToHub(rest, path, { hubUrl: hub.url, env: { HF_HOME: tmpdir() + '/nowhere' } }),
    ).rejects.toMatchObject({
      name: 'HubAuthError',
      reason: 'missing',
      message: expect.stringContaining('HF_TOKEN'),
    });
  });

  it("logs its Hub requests through the client's logger, the token masked", async () => {
    const logger = new CaptureLogger({ level: 'debug' });
    const service = new ServiceClient({
      api_key: API_KEY,
      base_url: env.emulator.url,
      telemetry: false,
      env: {},
      configureKernel: (kernel) => kernel.register(Ports.Logger, logger),
    });
    try {
      const n = hub.requests.length;
      await pushCheckpointToHub(service.createRestClient(), path, {
        ...hubOptions(),
        repo_id: 'alice/logged',
      });
      const sent = hub.requests.length - n;
      const hubLines = logger.records.filter((r) => r.fields.endpoint === 'huggingface_hub');
      expect(hubLines.filter((r) => /^request [A-Z]+ /.test(r.message))).toHaveLength(sent);
      expect(JSON.stringify(logger.records)).not.toContain(TEST_TOKEN);
    } finally {
      await service.close();
    }
  });

  it('bad input is a ValidationError before anything is sent', async () => {
    const rest = env.service.createRestClient();
    const n = hub.requests.length;
    await expect(pushCheckpointToHub(rest, path, { ...hubOptions(), repo_id: 'a/b/c' })).rejects.toThrow(
      ValidationError,
    );
    await expect(pushCheckpointToHub(rest, path, { ...hubOptions(), revision: 'has space' })).rejects.toThrow(
      /revision|branch/,
    );
    await expect(pushCheckpointToHub(rest, 'not-a-path', hubOptions())).rejects.toThrow(ValidationError);
    expect(hub.requests.length).toBe(n);
  });

  // Found in review (round 25): unknown keys were dropped, so `createPr: true` committed straight to the
  // branch instead of opening a pull request, and `revison` pushed to another branch than asked.
  it.each([
    [{ createPr: true }, '/createPr', 'create_pr'],
    [{ revison: 'dev' }, '/revison', 'revision'],
    [{ cacheDirr: '/tmp/x' }, '/cacheDirr', 'cacheDir'],
  ])('refuses the misspelt key of %j by name, before anything is sent', async (misspelt, pointer, hint) => {
    const n = hub.requests.length;
    const error = await pushCheckpointToHub(env.service.createRestClient(), path, {
      ...hubOptions(),
      ...(misspelt as object),
    }).catch((e: unknown) => e);
    expectMisspeltKey(error, pointer, hint);
    expect(hub.requests.length).toBe(n);
  });
});
