import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APIConnectionError } from 'pristine-kernel';
import { getTokenizer } from '../../src/tokenizer/get-tokenizer.js';
import { BYTE_LEVEL_CONFIG_JSON, BYTE_LEVEL_TOKENIZER_JSON } from '../support/byte-level.js';
import { startFakeHub, type FakeHub } from '../support/fake-hub/index.js';

describe('a Hub killed mid-download', () => {
  let hub: FakeHub;
  let work: string;
  let tokenizerJson: Buffer;
  let config: Buffer;

  beforeAll(async () => {
    hub = await startFakeHub();
    work = await mkdtemp(join(tmpdir(), 'tinkex-hf-cut-'));
    tokenizerJson = BYTE_LEVEL_TOKENIZER_JSON;
    config = BYTE_LEVEL_CONFIG_JSON;
    hub.seed('acme/cut-tok', { 'tokenizer.json': tokenizerJson, 'tokenizer_config.json': config });
  });
  afterAll(async () => {
    await hub.close();
    await rm(work, { recursive: true, force: true });
  });

  it('is an APIConnectionError that leaves no partial file, and the next call fetches what the cut one missed', async () => {
    const options = { hubUrl: hub.url, cacheDir: join(work, 'hub'), env: {} };
    const repo = join(work, 'hub', 'models--acme--cut-tok');
    // tokenizer.json arrives whole; the Hub dies half-way through tokenizer_config.json.
    hub.cutDownloadsOf('tokenizer_config.json');
    await expect(getTokenizer('acme/cut-tok', options)).rejects.toThrow(APIConnectionError);
    expect((await readdir(join(repo, 'blobs'))).filter((f) => f.endsWith('.incomplete'))).toEqual([]);

    // Offline, what did arrive is used: the missing config cannot be fetched, and is not required.
    const n0 = hub.requests.length;
    // (Another spelling of the cache folder each time: getTokenizer keeps what it loaded per folder.)
    const offline = await getTokenizer('acme/cut-tok', {
      ...options,
      cacheDir: `${join(work, 'hub')}/./.`,
      offline: true,
    });
    expect(offline.vocabSize).toBe(256);
    expect(hub.requests.slice(n0)).toEqual([]);

    // The Hub is back: the snapshot must not pass for complete with its tokenizer_config.json missing.
    hub.cutDownloadsOf(undefined);
    const tok = await getTokenizer('acme/cut-tok', options);
    expect(tok.encode('ok', { add_special_tokens: false })).toEqual([111, 107]);
    const commit = (await readFile(join(repo, 'refs', 'main'), 'utf8')).trim();
    expect(await readFile(join(repo, 'snapshots', commit, 'tokenizer_config.json'))).toEqual(config);

    // Once complete, the next call (another path to the same cache: no in-memory hit) sends nothing.
    const n = hub.requests.length;
    await getTokenizer('acme/cut-tok', { ...options, cacheDir: `${join(work, 'hub')}/.` });
    expect(hub.requests.slice(n)).toEqual([]);
  });

  it('a repository without tokenizer_config.json is recorded as such (.no_exist), so the next call sends nothing', async () => {
    hub.seed('acme/bare-tok', { 'tokenizer.json': tokenizerJson });
    const options = { hubUrl: hub.url, cacheDir: join(work, 'bare'), env: {} };
    await getTokenizer('acme/bare-tok', options);
    const repo = join(work, 'bare', 'models--acme--bare-tok');
    const commit = (await readFile(join(repo, 'refs', 'main'), 'utf8')).trim();
    // huggingface_hub's marker, at its place: Python reads this cache the same way.
    expect(await readFile(join(repo, '.no_exist', commit, 'tokenizer_config.json'), 'utf8')).toBe('');
    const n = hub.requests.length;
    const again = await getTokenizer('acme/bare-tok', { ...options, cacheDir: `${join(work, 'bare')}/.` });
    expect(again.vocabSize).toBe(256);
    expect(hub.requests.slice(n)).toEqual([]);
  });
});
