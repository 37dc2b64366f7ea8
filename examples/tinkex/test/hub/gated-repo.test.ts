import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { HubAuthError } from '../../src/hub/hub-errors.js';
import { getTokenizer } from '../../src/tokenizer/get-tokenizer.js';
import { BYTE_LEVEL_TOKENIZER_JSON } from '../support/byte-level.js';
import { startFakeHub, TEST_TOKEN, type FakeHub } from '../support/fake-hub/index.js';

const OTHER_TOKEN = 'hf_bob_has_not_accepted_123';

describe('a gated repository (its files need a token of an account that accepted its conditions)', () => {
  let hub: FakeHub;
  let work: string;

  beforeAll(async () => {
    hub = await startFakeHub({ tokens: { [TEST_TOKEN]: 'alice', [OTHER_TOKEN]: 'bob' } });
    work = await mkdtemp(join(tmpdir(), 'tinkex-hf-gated-'));
    const tokenizerJson = BYTE_LEVEL_TOKENIZER_JSON;
    hub.seed('meta/gated-tok', { 'tokenizer.json': tokenizerJson }, { gated: ['alice'] });
  });
  afterAll(async () => {
    await hub.close();
    await rm(work, { recursive: true, force: true });
  });

  const load = (dir: string, env: NodeJS.ProcessEnv) =>
    getTokenizer('meta/gated-tok', { hubUrl: hub.url, cacheDir: join(work, dir), env });

  it('without a token asks for HF_TOKEN; with one not granted access says so and where to ask, never showing it', async () => {
    await expect(load('none', {})).rejects.toMatchObject({ reason: 'missing', message: /set HF_TOKEN/ });

    const error = await load('bob', { HF_TOKEN: OTHER_TOKEN }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubAuthError);
    expect(error).toMatchObject({ reason: 'forbidden', status: 403, retryable: false });
    expect((error as Error).message).toMatch(/gated/);
    expect((error as Error).message).toContain(`${hub.url}/meta/gated-tok`);
    for (const shown of [(error as Error).message, inspect(error, { depth: 5 }), JSON.stringify(error)])
      expect(shown).not.toContain(OTHER_TOKEN);

    const tok = await load('alice', { HF_TOKEN: TEST_TOKEN });
    expect(tok.vocabSize).toBe(256);
  });
});
