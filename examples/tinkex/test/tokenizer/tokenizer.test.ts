import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from 'pristine-kernel';
import {
  fromJSON,
  loadTokenizer,
  resolveTokenizer,
  resolveTokenizerId,
} from '../../src/tokenizer/tokenizer.js';
import { BYTE_LEVEL_TOKENIZER_JSON } from '../support/byte-level.js';

const empty = () => mkdtempSync(join(tmpdir(), 'tinkex-tok-'));
const isolated = { hubCache: empty(), env: {} };

describe('tokenizer id resolution (Python SDK)', () => {
  it.each([
    ['meta-llama/Llama-3.2-1B', null, 'thinkingmachineslabinc/meta-llama-3-instruct-tokenizer'],
    ['Qwen/Qwen3-8B:peft:123', null, 'Qwen/Qwen3-8B'],
    ['Qwen/Qwen3-30B-A3B/instruct', null, 'Qwen/Qwen3-30B-A3B'],
    ['meta-llama/Llama-3.2-1B', 'tinkex/byte-level:v2', 'tinkex/byte-level'],
    ['gpt2', undefined, 'gpt2'],
  ])('%s with tokenizer_id %s → %s', (model, id, expected) => {
    expect(resolveTokenizerId(model, id)).toBe(expected);
  });

  it('pins Kimi revisions and flags TML tokenizers', () => {
    expect(resolveTokenizer('moonshotai/Kimi-K2.5-Text-Only')).toEqual({
      tokenizer_id: 'moonshotai/Kimi-K2.5',
      revision: '4d01dfe0332d63057c186e0b262165819efb6611',
      trust_remote_code: true,
    });
    expect(resolveTokenizer('x', 'TML/foo').tml).toBe(true);
  });
});

describe('bundled byte-level tokenizer', () => {
  const tok = loadTokenizer('tinkex/byte-level', isolated);

  it('maps every byte of the UTF-8 text to its own id, and back', () => {
    for (const text of ['Hello, world!\n\ttabs  spaces', 'naïve café — 日本語 🎉', '\u0000\u00ff']) {
      const ids = tok.encode(text);
      expect(ids).toEqual([...Buffer.from(text, 'utf8')]);
      expect(tok.decode(ids)).toBe(text);
    }
    expect(tok.encode('ab', { add_special_tokens: false })).toEqual([97, 98]);
    expect(tok.vocabSize).toBe(256);
  });

  // Found by hand (round 26): `tinkex sample --max-tokens 0` failed with the tokenizer's "token_ids must
  // be a non-empty array of integers" decoding a sequence of no tokens; Python's `tokenizers` gives ''.
  it('decodes no tokens as no text', () => {
    expect(tok.decode([])).toBe('');
  });

  // Found on a first day (round 30): the cookbook decodes a sampled answer with
  // `tokenizer.decode(tokens, skip_special_tokens=True)`; ours took no options, so the end-of-turn
  // token came back as text and the Python call had no TypeScript spelling.
  it('decodes with or without the special tokens (skip_special_tokens, as transformers does)', () => {
    const json = JSON.parse(BYTE_LEVEL_TOKENIZER_JSON.toString('utf8')) as Record<string, unknown>;
    const eot = { id: 256, content: '<|eot|>', single_word: false, lstrip: false, rstrip: false };
    const withEot = fromJSON('test/eot', {
      ...json,
      added_tokens: [{ ...eot, normalized: false, special: true }],
    });
    const ids = [104, 105, 256];
    expect(withEot.decode(ids)).toBe('hi<|eot|>');
    expect(withEot.decode(ids, { skip_special_tokens: true })).toBe('hi');
    expect(withEot.decode(ids, { skip_special_tokens: false })).toBe('hi<|eot|>');
    expect(withEot.decode([256], { skip_special_tokens: true })).toBe('');
  });

  it('has one token per byte value, ids 0 to 255', () => {
    const shipped = BYTE_LEVEL_TOKENIZER_JSON.toString('utf8');
    const vocab = JSON.parse(shipped).model.vocab as Record<string, number>;
    expect(Object.values(vocab).sort((a, b) => a - b)).toEqual([...Array(256).keys()]);
  });
});

describe('loading from caches', () => {
  it('prefers $TINKEX_TOKENIZER_CACHE/<id>, then the hub cache snapshot of refs/main', () => {
    const byte = BYTE_LEVEL_TOKENIZER_JSON.toString('utf8');
    const cache = empty();
    mkdirSync(join(cache, 'acme', 'tok'), { recursive: true });
    writeFileSync(join(cache, 'acme', 'tok', 'tokenizer.json'), byte);
    expect(
      loadTokenizer('acme/tok', { ...isolated, env: { TINKEX_TOKENIZER_CACHE: cache } }).encode('A'),
    ).toEqual([65]);

    const hub = empty();
    const repo = join(hub, 'models--acme--hubtok');
    mkdirSync(join(repo, 'snapshots', 'abc123'), { recursive: true });
    mkdirSync(join(repo, 'refs'), { recursive: true });
    writeFileSync(join(repo, 'refs', 'main'), 'abc123\n');
    writeFileSync(join(repo, 'snapshots', 'abc123', 'tokenizer.json'), byte);
    expect(loadTokenizer('acme/hubtok', { hubCache: hub, env: {} }).decode([104, 105])).toBe('hi');
  });

  it.each([
    ['XDG_CACHE_HOME', (root: string) => join(root, 'huggingface', 'hub')],
    ['HUGGINGFACE_HUB_CACHE', (root: string) => root],
    ['HF_HOME', (root: string) => join(root, 'hub')],
  ])('finds a hub snapshot where $%s puts the cache, as getTokenizer downloads it', (name, hubOf) => {
    // Found by hand (round 38): loadTokenizer looked in ~/.cache/huggingface/hub whatever XDG_CACHE_HOME or
    // the legacy HUGGINGFACE_HUB_CACHE said (docs/configuration.md), so it missed what getTokenizer saved.
    const root = empty();
    const repo = join(hubOf(root), 'models--acme--envtok');
    mkdirSync(join(repo, 'snapshots', 'abc123'), { recursive: true });
    mkdirSync(join(repo, 'refs'), { recursive: true });
    writeFileSync(join(repo, 'refs', 'main'), 'abc123\n');
    writeFileSync(join(repo, 'snapshots', 'abc123', 'tokenizer.json'), BYTE_LEVEL_TOKENIZER_JSON);
    // An empty HF_HUB_CACHE counts as unset, as for every other variable (not the working directory).
    const env = { HF_HUB_CACHE: '', [name]: root };
    expect(loadTokenizer('acme/envtok', { env, bundled: false }).decode([104, 105])).toBe('hi');
  });

  it('fails with a ValidationError that says where it looked, without any network', () => {
    expect(() => loadTokenizer('nobody/missing', isolated)).toThrow(ValidationError);
    expect(() => loadTokenizer('nobody/missing', isolated)).toThrow(/TINKEX_TOKENIZER_CACHE/);
  });

  it('names the hub cache folder it looked in even when that holds nothing (no empty "Searched: ,")', () => {
    // Found by hand (round 35): with no $TINKEX_TOKENIZER_CACHE and no hub snapshot of the id, the message
    // read "Searched: , then the tokenizers shipped with Tinkex": no place named at all.
    const message = (() => {
      try {
        loadTokenizer('nobody/missing', isolated);
      } catch (error) {
        return (error as Error).message;
      }
      return 'no error';
    })();
    expect(message).toContain(
      `Searched: ${join(isolated.hubCache, 'models--nobody--missing')} (no snapshot)`,
    );
    expect(message).not.toMatch(/Searched: ,/);
  });

  it('takes the shipped tokenizer after the caches, and not at all with bundled: false', () => {
    // A cached tinkex/byte-level with 'A' and 'B' swapped wins over the shipped one.
    const swapped = JSON.parse(BYTE_LEVEL_TOKENIZER_JSON.toString('utf8'));
    Object.assign(swapped.model.vocab, { A: 66, B: 65 });
    const cache = empty();
    mkdirSync(join(cache, 'tinkex', 'byte-level'), { recursive: true });
    writeFileSync(join(cache, 'tinkex', 'byte-level', 'tokenizer.json'), JSON.stringify(swapped));
    const env = { TINKEX_TOKENIZER_CACHE: cache };
    expect(loadTokenizer('tinkex/byte-level', { ...isolated, env }).encode('A')).toEqual([66]);
    expect(loadTokenizer('tinkex/byte-level', isolated).encode('A')).toEqual([65]);
    expect(() => loadTokenizer('tinkex/byte-level', { ...isolated, bundled: false })).toThrow(
      ValidationError,
    );
    expect(() => loadTokenizer('nobody/missing', isolated)).toThrow(
      /shipped with Tinkex \(tinkex\/byte-level\)/,
    );
  });
});
