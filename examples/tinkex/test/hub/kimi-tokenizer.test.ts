import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getTokenizer } from '../../src/tokenizer/get-tokenizer.js';
import { KIMI_PAT_STR } from '../../src/tokenizer/tiktoken.js';
import { startFakeHub, type FakeHub } from '../support/fake-hub/index.js';

const PIN = '612681931a8c906ddb349f8ad0f582cb552189cd';

/** A tiny tiktoken.model: every byte, then the merges he, ll, hell, hello, E4 B8, 世 (E4 B8 96). */
function ranksFile(): { text: string; merges: Record<string, number> } {
  const lines: string[] = [];
  for (let b = 0; b < 256; b++) lines.push(`${Buffer.from([b]).toString('base64')} ${b}`);
  const merges: Record<string, number> = {};
  // BPE only merges pairs it has ranks for: 世 (E4 B8 96) needs E4 B8 first.
  for (const piece of ['he', 'll', 'hell', 'hello', '\xe4\xb8', '世']) {
    merges[piece] = lines.length;
    const bytes = piece.startsWith('\xe4') ? Buffer.from([0xe4, 0xb8]) : Buffer.from(piece);
    lines.push(`${bytes.toString('base64')} ${lines.length}`);
  }
  return { text: `${lines.join('\n')}\n`, merges };
}

describe('Kimi tokenizers (tiktoken) load through js-tiktoken from the pinned revision', () => {
  let hub: FakeHub;
  let work: string;
  const { text, merges } = ranksFile();
  const base = 256 + 6;

  beforeAll(async () => {
    hub = await startFakeHub();
    work = await mkdtemp(join(tmpdir(), 'tinkex-kimi-'));
    const config = {
      added_tokens_decoder: { [base]: { content: '[BOS]' }, [base + 1]: { content: '[EOS]' } },
    };
    // main moved on after the pin: the SDK must load the pinned commit, as the Python SDK does.
    hub.seed(
      'moonshotai/Kimi-K2-Thinking',
      { 'tiktoken.model': text, 'tokenizer_config.json': JSON.stringify(config) },
      { commit: PIN },
    );
    hub.seed('moonshotai/Kimi-K2-Thinking', { 'tiktoken.model': 'broken' });
  });
  afterAll(async () => {
    await hub.close();
    await rm(work, { recursive: true, force: true });
  });

  it('downloads tiktoken.model and tokenizer_config.json at the pin, and encodes as tiktoken does', async () => {
    const n = hub.requests.length;
    const tok = await getTokenizer('moonshotai/Kimi-K2-Thinking', {
      hubUrl: hub.url,
      cacheDir: work,
      env: {},
    });
    expect(hub.requests[n].url).toMatch(
      new RegExp(`^/api/models/moonshotai/Kimi-K2-Thinking/revision/${PIN}\\?`),
    );
    const ids = tok.encode('hello world世界[EOS]');
    expect(ids).toEqual([
      merges.hello,
      ...Buffer.from(' world'),
      merges['世'],
      ...Buffer.from('界'),
      base + 1,
    ]);
    expect(tok.decode(ids)).toBe('hello world世界[EOS]');
    expect(tok.decode(ids, { skip_special_tokens: true })).toBe('hello world世界');
    // 256 reserved special ids follow the ranks; unnamed ones are <|reserved_token_<id>|>.
    expect(tok.vocabSize).toBe(base + 256);
    expect(tok.decode([base + 7])).toBe(`<|reserved_token_${base + 7}|>`);
  });

  it('splits text with Kimi pat_str: Han runs, case runs without Han, contractions, 1-3 digits', () => {
    const split = (s: string) => [...s.matchAll(new RegExp(KIMI_PAT_STR, 'gu'))].map((m) => m[0]);
    expect(split("HelloWorld it's 12345 你好abc")).toEqual([
      'Hello',
      'World',
      " it's",
      ' ',
      '123',
      '45',
      ' ',
      '你好',
      'abc',
    ]);
    expect(split("DON'T")).toEqual(["DON'T"]);
  });
});
