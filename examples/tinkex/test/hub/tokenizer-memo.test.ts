import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getTokenizer } from '../../src/tokenizer/get-tokenizer.js';
import { loadTokenizer } from '../../src/tokenizer/tokenizer.js';
import { BYTE_LEVEL_CONFIG_JSON, BYTE_LEVEL_TOKENIZER_JSON } from '../support/byte-level.js';
import { startFakeHub, type FakeHub } from '../support/fake-hub/index.js';

/**
 * The in-memory tokenizer caches: found on review, their keys left out options that change the result,
 * so a second call with other options got the first call's tokenizer. Each case loads a variant (the
 * byte-level tokenizer plus one added token: vocabSize 257) first, then asks with options that lead to
 * the plain one (256), which it must get.
 */
describe('tokenizer caches key on every option that changes the result', () => {
  let hub: FakeHub;
  let work: string;
  let variant: string;
  let n = 0;
  const fresh = () => join(work, `d${++n}`);

  /** A hub cache holding `id`'s variant as a snapshot without tokenizer_config.json (a cut download). */
  async function shortSnapshot(cache: string, id: string) {
    const repo = join(cache, `models--${id.replace('/', '--')}`);
    const commit = 'a'.repeat(40);
    await mkdir(join(repo, 'snapshots', commit), { recursive: true });
    await mkdir(join(repo, 'refs'), { recursive: true });
    await writeFile(join(repo, 'refs', 'main'), commit);
    await writeFile(join(repo, 'snapshots', commit, 'tokenizer.json'), variant);
  }

  beforeAll(async () => {
    hub = await startFakeHub();
    work = await mkdtemp(join(tmpdir(), 'tinkex-tok-memo-'));
    const plain = BYTE_LEVEL_TOKENIZER_JSON.toString('utf8');
    const json = JSON.parse(plain);
    json.added_tokens = [
      {
        id: 256,
        content: '<|x|>',
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      },
    ];
    variant = JSON.stringify(json);
    hub.seed('acme/memo', {
      'tokenizer.json': plain,
      'tokenizer_config.json': BYTE_LEVEL_CONFIG_JSON,
    });
  });
  afterAll(async () => {
    await hub.close();
    await rm(work, { recursive: true, force: true });
  });

  it('getTokenizer: an offline load from a short snapshot is not what a later online call gets', async () => {
    const cacheDir = fresh();
    await shortSnapshot(cacheDir, 'acme/memo');
    const options = { hubUrl: hub.url, cacheDir, env: {} };
    // Offline, the snapshot is used as it is; online, a snapshot without its config is completed first.
    expect((await getTokenizer('acme/memo', { ...options, offline: true })).vocabSize).toBe(257);
    expect((await getTokenizer('acme/memo', options)).vocabSize).toBe(256);
    // The reverse holds: once online completed the cache, offline reads the complete snapshot.
    expect((await getTokenizer('acme/memo', { ...options, offline: true })).vocabSize).toBe(256);
  });

  it("getTokenizer: $TINKEX_TOKENIZER_CACHE of the call's env is part of the key", async () => {
    const tinkexCache = fresh();
    await mkdir(join(tinkexCache, 'acme', 'memo'), { recursive: true });
    await writeFile(join(tinkexCache, 'acme', 'memo', 'tokenizer.json'), variant);
    const options = { hubUrl: hub.url, cacheDir: fresh() };
    const first = await getTokenizer('acme/memo', {
      ...options,
      env: { TINKEX_TOKENIZER_CACHE: tinkexCache },
    });
    expect(first.vocabSize).toBe(257);
    expect((await getTokenizer('acme/memo', { ...options, env: {} })).vocabSize).toBe(256);
  });

  it('loadTokenizer: another hub cache, or no bundled tokenizers, is not answered from the first load', async () => {
    const [a, b] = [fresh(), fresh()];
    await shortSnapshot(a, 'acme/local');
    await shortSnapshot(b, 'acme/local');
    await writeFile(
      join(b, 'models--acme--local', 'snapshots', 'a'.repeat(40), 'tokenizer.json'),
      BYTE_LEVEL_TOKENIZER_JSON,
    );
    expect(loadTokenizer('acme/local', { hubCache: a, env: {} }).vocabSize).toBe(257);
    expect(loadTokenizer('acme/local', { hubCache: b, env: {} }).vocabSize).toBe(256);

    const none = { hubCache: fresh(), env: {} };
    expect(loadTokenizer('tinkex/byte-level', none).vocabSize).toBe(256);
    expect(() => loadTokenizer('tinkex/byte-level', { ...none, bundled: false })).toThrow(
      /not available locally/,
    );
  });
});
