import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { lstat, mkdtemp, readFile, readlink, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { scanCacheDir } from '@huggingface/hub';
import { HubAuthError, HubNotFoundError, HubOfflineError } from '../../src/hub/hub-errors.js';
import { getTokenizer } from '../../src/tokenizer/get-tokenizer.js';
import { BYTE_LEVEL_CONFIG_JSON, BYTE_LEVEL_TOKENIZER_JSON } from '../support/byte-level.js';
import { gitBlobOid, sha256, startFakeHub, TEST_TOKEN, type FakeHub } from '../support/fake-hub/index.js';

describe('getTokenizer downloads from the Hub into the Hugging Face cache', () => {
  let hub: FakeHub;
  let work: string;
  let tokenizerJson: Buffer;
  let config: Buffer;
  const cache = () => join(work, 'hub');

  beforeAll(async () => {
    hub = await startFakeHub();
    work = await mkdtemp(join(tmpdir(), 'tinkex-hf-'));
    tokenizerJson = BYTE_LEVEL_TOKENIZER_JSON;
    config = BYTE_LEVEL_CONFIG_JSON;
    hub.seed('acme/tok', {
      'tokenizer.json': tokenizerJson,
      'tokenizer_config.json': config,
      'model.safetensors': Buffer.alloc(10_000, 1),
    });
    hub.seed('acme/private-tok', { 'tokenizer.json': tokenizerJson }, { owner: 'alice', private: true });
  });
  afterAll(async () => {
    await hub.close();
    await rm(work, { recursive: true, force: true });
  });

  const since = (n: number) => hub.requests.slice(n);

  it('fetches tokenizer.json and tokenizer_config.json (not the weights) into models--org--name, then sends nothing', async () => {
    const before = hub.requests.length;
    const tok = await getTokenizer('acme/tok', { hubUrl: hub.url, cacheDir: cache(), env: {} });
    expect(tok.decode(tok.encode('hi there', { add_special_tokens: false }))).toBe('hi there');
    const sent = since(before).map((r) => `${r.host} ${r.method} ${r.url.split('?')[0]}`);
    expect(sent[0]).toBe('hub GET /api/models/acme/tok/revision/main');
    expect(sent.some((s) => s.includes('model.safetensors'))).toBe(false);
    expect(sent.filter((s) => s.endsWith('/tokenizer.json')).length).toBeGreaterThan(0);

    const repo = join(cache(), 'models--acme--tok');
    const commit = (await readFile(join(repo, 'refs', 'main'), 'utf8')).trim();
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
    const pointer = join(repo, 'snapshots', commit, 'tokenizer.json');
    expect((await lstat(pointer)).isSymbolicLink()).toBe(true);
    // Blobs are named by etag: an LFS file's sha256 (tokenizer.json is over the LFS threshold), else the git oid.
    expect(await readlink(pointer)).toBe(`../../blobs/${sha256(tokenizerJson)}`);
    expect(await readFile(pointer)).toEqual(tokenizerJson);
    expect(await readlink(join(repo, 'snapshots', commit, 'tokenizer_config.json'))).toBe(
      `../../blobs/${gitBlobOid(config)}`,
    );
    // huggingface.js (and so huggingface_hub, same layout) reads our cache back.
    const scanned = await scanCacheDir(cache());
    const revision = scanned.repos.find((r) => r.id.name === 'acme/tok')!.revisions[0];
    expect(revision.commitOid).toBe(commit);
    expect(revision.files.map((f) => f.path.split('/').at(-1)).sort()).toEqual([
      'tokenizer.json',
      'tokenizer_config.json',
    ]);

    // Another process (another path to the same cache, so no in-memory hit) sends nothing at all.
    const again = join(work, 'same-cache');
    await symlink(cache(), again);
    const n = hub.requests.length;
    const cached = await getTokenizer('acme/tok', { hubUrl: hub.url, cacheDir: again, env: {} });
    expect(cached.encode('A', { add_special_tokens: false })).toEqual([65]);
    expect(since(n)).toEqual([]);
  });

  it('offline (HF_HUB_OFFLINE=1) uses the cache only; a miss is a HubOfflineError naming what is missing', async () => {
    const offlineCache = join(work, 'offline-cache');
    await getTokenizer('acme/tok', { hubUrl: hub.url, cacheDir: offlineCache, env: {} });
    const n = hub.requests.length;
    // No HF_ENDPOINT: were anything sent, it would go to huggingface.co, which this machine cannot reach.
    const env = { HF_HUB_OFFLINE: '1', HF_HUB_CACHE: offlineCache };
    const tok = await getTokenizer('acme/tok', { env });
    expect(tok.vocabSize).toBe(256);
    const miss = getTokenizer('acme/never-downloaded', { env });
    await expect(miss).rejects.toThrow(HubOfflineError);
    await expect(miss).rejects.toMatchObject({
      repo: 'acme/never-downloaded',
      revision: 'main',
      missing: ['tokenizer.json'],
      message: expect.stringMatching(/acme\/never-downloaded@main .*missing tokenizer\.json.*HF_HUB_OFFLINE/),
    });
    expect(since(n)).toEqual([]);
  });

  it('a bad token is a HubAuthError that never shows the token; a good one reads a private repo', async () => {
    const bad = 'hf_not_a_valid_token_123';
    const error = await getTokenizer('acme/private-tok', {
      hubUrl: hub.url,
      cacheDir: join(work, 'c2'),
      token: bad,
      env: {},
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubAuthError);
    expect(error).toMatchObject({ reason: 'invalid', status: 401, retryable: false });
    for (const shown of [
      (error as Error).message,
      (error as Error).stack,
      inspect(error, { depth: 5 }),
      JSON.stringify(error),
    ])
      expect(shown).not.toContain(bad);
    expect(hub.requests.at(-1)).toMatchObject({ auth: 'invalid' });

    await expect(
      getTokenizer('acme/private-tok', { hubUrl: hub.url, cacheDir: join(work, 'c3'), env: {} }),
    ).rejects.toThrow(HubNotFoundError);
    const tok = await getTokenizer('acme/private-tok', {
      hubUrl: hub.url,
      cacheDir: join(work, 'c4'),
      env: { HF_TOKEN: TEST_TOKEN },
    });
    expect(tok.encode('ok', { add_special_tokens: false })).toEqual([111, 107]);
  });

  it('reads the token from HF_TOKEN_PATH, and an LFS file comes from the CDN without the token', async () => {
    const big = Buffer.concat([tokenizerJson, Buffer.from(' '.repeat(5000))]);
    hub.seed('alice/lfs-tok', { 'tokenizer.json': big }, { private: true });
    const tokenFile = join(work, 'token');
    await import('node:fs/promises').then((fs) => fs.writeFile(tokenFile, `${TEST_TOKEN}\n`));
    const n = hub.requests.length;
    const tok = await getTokenizer('alice/lfs-tok', {
      hubUrl: hub.url,
      env: { HF_TOKEN_PATH: tokenFile, HF_HOME: join(work, 'home') },
    });
    expect(tok.vocabSize).toBe(256);
    const cdn = since(n).filter((r) => r.host === 'cdn');
    expect(cdn.length).toBeGreaterThan(0);
    expect(cdn.every((r) => !r.authorization)).toBe(true);
    expect(
      since(n)
        .filter((r) => r.host === 'hub')
        .every((r) => r.auth === 'valid'),
    ).toBe(true);
    // The blob is named by the file's sha256 (the redirect's X-Linked-Etag), as huggingface_hub names it.
    const blob = join(work, 'home', 'hub', 'models--alice--lfs-tok', 'blobs', sha256(big));
    expect(await readFile(blob)).toEqual(big);
  });

  it('a missing tokenizer.json is a HubNotFoundError', async () => {
    hub.seed('acme/no-tokenizer', { 'config.json': '{}' });
    await expect(
      getTokenizer('acme/no-tokenizer', { hubUrl: hub.url, cacheDir: join(work, 'c5'), env: {} }),
    ).rejects.toThrow(/acme\/no-tokenizer@main has no file tokenizer\.json/);
  });

  // Node's recursive mkdir never settles where a missing parent cannot be made under /proc (Node 20
  // and 24; found by `tinkex checkpoint download -o /proc/x` in round 27): an HF_HOME there hung the
  // tokenizer's download for ever. The cache's folders are now made one level at a time.
  (process.platform === 'linux' ? it : it.skip)(
    'a cache folder that cannot be made fails with the folder named, instead of hanging',
    async () => {
      const cacheDir = join('/proc', `tinkex-no-such-${process.pid}`, 'hub');
      await expect(getTokenizer('acme/tok', { hubUrl: hub.url, cacheDir, env: {} })).rejects.toThrow(
        /ENOENT.*mkdir '\/proc\/tinkex-no-such-/,
      );
    },
  );
});
