import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ValidationError } from 'pristine-kernel';
import { locateTokenizer, searchedPlaces, type LocateOptions } from './locate.js';
import { SHIPPED_TOKENIZER_IDS, shippedTokenizer } from './shipped.js';

export { resolveTokenizer, resolveTokenizerId, type TokenizerRef } from './resolve.js';
export { locateTokenizer, tokenizerDirs, type LocateOptions } from './locate.js';

/** What the SDK needs from a tokenizer. */
export interface Tokenizer {
  readonly id: string;
  /** Token ids of `text`; special tokens (e.g. BOS) are added unless `add_special_tokens: false`. */
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
  /** The text of `ids`; with `skip_special_tokens: true` (transformers' option) without BOS, EOS and the like. */
  decode(ids: readonly number[], options?: { skip_special_tokens?: boolean }): string;
  /** Size of the vocabulary, added tokens included. */
  readonly vocabSize: number;
}

const cache = new Map<string, Tokenizer>();

type HfTokenizers = typeof import('@huggingface/tokenizers');
let hfTokenizers: HfTokenizers | undefined;
/**
 * Loaded at the first tokenizer built, not at `import('tinkex')`: sampling and training with token ids
 * never need it, and every module loaded up front stays in the heap (see docs/performance-notes.md, fan-out
 * memory). Synchronously, through the package's CommonJS build, so `loadTokenizer` stays synchronous.
 */
const loadHfTokenizers = () =>
  (hfTokenizers ??= createRequire(import.meta.url)('@huggingface/tokenizers') as HfTokenizers);

/**
 * Load a Hugging Face tokenizer (tokenizer.json + tokenizer_config.json) from local files only: the
 * directory `$TINKEX_TOKENIZER_CACHE/<org>/<name>/`, the Hugging Face hub cache, or else the tokenizers
 * shipped with Tinkex (`tinkex/byte-level`). Loaded tokenizers are cached per id and directory. When none
 * has it, a ValidationError lists where it looked. Nothing is downloaded.
 */
export function loadTokenizer(id: string, options: LocateOptions = {}): Tokenizer {
  // Keyed by the directory the options lead to (found anew on each call: a few stat calls), so no option
  // (caches, env, revision, `bundled`, `complete`) can get a tokenizer that another call's options found.
  const dir = locateTokenizer(id, options);
  if (dir !== undefined) return memo(`${id}\0${dir}`, () => fromFiles(id, dir));
  const shipped = (options.bundled ?? true) ? shippedTokenizer(id) : undefined;
  if (shipped) return memo(`${id}\0(shipped)`, () => fromJSON(id, shipped.tokenizer, shipped.config));
  throw ValidationError.field(
    'tokenizer',
    '/tokenizer_id',
    'available',
    `tokenizer "${id}" is not available locally. Put its tokenizer.json and tokenizer_config.json in ` +
      `$TINKEX_TOKENIZER_CACHE/${id}/ or the Hugging Face hub cache (e.g. \`huggingface-cli download ${id} ` +
      `tokenizer.json tokenizer_config.json\`). Searched: ${searchedPlaces(id, options).join(', ')}` +
      (options.bundled === false
        ? ''
        : `, then the tokenizers shipped with Tinkex (${SHIPPED_TOKENIZER_IDS.join(', ')})`),
  );
}

function memo(key: string, build: () => Tokenizer): Tokenizer {
  let tokenizer = cache.get(key);
  if (!tokenizer) cache.set(key, (tokenizer = build()));
  return tokenizer;
}

/** The tokenizer Tinkex ships under `id` (see shipped.ts: in code, so a bundled app has it too), or undefined. */
export function fromShipped(id: string): Tokenizer | undefined {
  const shipped = shippedTokenizer(id);
  return shipped && fromJSON(id, shipped.tokenizer, shipped.config);
}

/** Build from a directory holding tokenizer.json (and optionally tokenizer_config.json). */
export function fromFiles(id: string, dir: string): Tokenizer {
  const json = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8'));
  const configPath = join(dir, 'tokenizer_config.json');
  const config = existsSync(configPath) ? JSON.parse(readFileSync(configPath, 'utf8')) : {};
  return fromJSON(id, json, config);
}

/** Build from the parsed tokenizer.json and tokenizer_config.json objects. */
export function fromJSON(id: string, tokenizerJson: object, config: object = {}): Tokenizer {
  const hf = new (loadHfTokenizers().Tokenizer)(tokenizerJson, config);
  const vocabSize = hf.get_vocab(true).size;
  return {
    id,
    vocabSize,
    encode: (text, options = {}) =>
      hf.encode(text, { add_special_tokens: options.add_special_tokens ?? true }).ids,
    // Nothing sampled (`max_tokens: 0`) is no text: @huggingface/tokenizers throws on [] where the Python
    // `tokenizers` gives ''.
    decode: (ids, options = {}) =>
      ids.length === 0
        ? ''
        : hf.decode([...ids], { skip_special_tokens: options.skip_special_tokens ?? false }),
  };
}
