import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { APIConnectionError } from 'pristine-kernel';
import { HubAuthError, HubNotFoundError } from '../../src/hub/hub-errors.js';
import { getTokenizer } from '../../src/tokenizer/get-tokenizer.js';
import { BYTE_LEVEL_TOKENIZER_JSON } from '../support/byte-level.js';
import { startFakeHub, TEST_TOKEN, type FakeHub } from '../support/fake-hub/index.js';

const BOB = 'hf_bob_has_not_accepted_123';

/**
 * The Hub says what went wrong in an `X-Error-Message` header (as huggingface_hub's
 * `hf_raise_for_status` reads it), which is all there is when the body is not JSON: a file download's
 * error is plain text. Found on review: our errors dropped it, so a gated repository's refusal read
 * "HTTP 403" without the Hub's reason.
 */
describe("Hub errors carry the Hub's own message", () => {
  let hub: FakeHub;
  let work: string;
  let n = 0;
  const load = (repo: string, env: NodeJS.ProcessEnv, url = hub.url) =>
    getTokenizer(repo, { hubUrl: url, cacheDir: join(work, `c${++n}`), env }).then(
      () => new Error(`${repo} loaded`),
      (e: unknown) => e as Error,
    );

  beforeAll(async () => {
    hub = await startFakeHub({ tokens: { [TEST_TOKEN]: 'alice', [BOB]: 'bob' } });
    work = await mkdtemp(join(tmpdir(), 'tinkex-hf-message-'));
    const tokenizerJson = BYTE_LEVEL_TOKENIZER_JSON;
    hub.seed('meta/gated', { 'tokenizer.json': tokenizerJson }, { gated: ['alice'] });
  });
  afterAll(async () => {
    await hub.close();
    await rm(work, { recursive: true, force: true });
  });

  it('a gated file refused to a token without access (403) and to no token (401) says why', async () => {
    const refused = await load('meta/gated', { HF_TOKEN: BOB });
    expect(refused).toBeInstanceOf(HubAuthError);
    expect(refused).toMatchObject({ reason: 'forbidden', status: 403 });
    expect(refused.message).toContain(
      'Access to model meta/gated is restricted and you are not in the authorized list.',
    );
    expect(refused.message).toContain(`accept its conditions with that account at ${hub.url}/meta/gated`);
    expect(refused.message).not.toContain(BOB);

    const anonymous = await load('meta/gated', {});
    expect(anonymous).toMatchObject({ reason: 'missing', status: 401 });
    expect(anonymous.message).toMatch(/set HF_TOKEN.*You must have access to it and be authenticated/);
  });

  it('the header and the JSON error are shown once when they say the same', async () => {
    const missing = await load('nobody/nothing', { HF_TOKEN: TEST_TOKEN });
    expect(missing).toBeInstanceOf(HubNotFoundError);
    expect(missing.message.match(/Repository not found/g)).toHaveLength(1);
  });

  it('a server message that quotes the token is shown without it', async () => {
    const echoing = await startFakeHub({
      tokens: { [TEST_TOKEN]: 'alice', [BOB]: 'bob' },
      errorMessage: (message, req) => `${message} (sent: ${req.headers.authorization})`,
    });
    try {
      echoing.seed('meta/gated', { 'tokenizer.json': '{}' }, { gated: ['alice'] });
      const error = await load('meta/gated', { HF_TOKEN: BOB }, echoing.url);
      expect(error.message).toContain('you are not in the authorized list');
      expect(error.message).toContain('(sent: Bearer');
      for (const shown of [error.message, inspect(error, { depth: 5 }), JSON.stringify(error)])
        expect(shown).not.toContain(BOB);
    } finally {
      await echoing.close();
    }
  });

  it('a Hub that cannot be reached names the repository that was being fetched', async () => {
    // Found on a first day: `sampler.getTokenizer()` offline said only "Connection error: GET
    // https://huggingface.co ENOTFOUND", not that a tokenizer was being downloaded, nor which.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const failed = await load('acme/some-tokenizer', {}, `http://127.0.0.1:${port}`);
    expect(failed).toBeInstanceOf(APIConnectionError);
    expect(failed).toMatchObject({ retryable: true, category: 'server' });
    expect(failed.message).toMatch(/^Resolving acme\/some-tokenizer@main: Connection error: /);
    expect((failed.cause as Error).message).toMatch(/^Connection error: /);
  });
});
