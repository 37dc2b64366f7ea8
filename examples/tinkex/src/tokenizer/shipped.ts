/**
 * The tokenizers Tinkex ships, as code rather than files: a bundler (esbuild, webpack, Vite) carries a
 * module into an app's bundle but not a JSON file found on disk next to it, so a bundled app looked for
 * `assets/` upwards from its bundle, missed, and asked the Hub (round 27). Built on first use, so
 * `import('tinkex')` pays nothing for them.
 */
export interface ShippedTokenizer {
  /** The parsed tokenizer.json. */
  tokenizer: object;
  /** The parsed tokenizer_config.json. */
  config: object;
}

const BUILDERS: Readonly<Record<string, () => ShippedTokenizer>> = {
  // The emulator's model is byte-level: `get_info` answers this id.
  'tinkex/byte-level': byteLevel,
};

/** The tokenizer Tinkex ships under `id`, or undefined. */
export function shippedTokenizer(id: string): ShippedTokenizer | undefined {
  return Object.hasOwn(BUILDERS, id) ? BUILDERS[id]() : undefined;
}

/** The ids of the tokenizers Tinkex ships. */
export const SHIPPED_TOKENIZER_IDS: readonly string[] = Object.keys(BUILDERS);

/** GPT-2's byte-to-unicode table: a printable stand-in for every byte. */
function byteToUnicode(): string[] {
  const printable: number[] = [];
  for (const [from, to] of [
    [33, 126],
    [161, 172],
    [174, 255],
  ])
    for (let b = from; b <= to; b++) printable.push(b);
  const table = new Array<string>(256);
  for (const b of printable) table[b] = String.fromCodePoint(b);
  let next = 256;
  for (let b = 0; b < 256; b++) if (!printable.includes(b)) table[b] = String.fromCodePoint(next++);
  return table;
}

/** A byte-level BPE with no merges: token id b is byte b of the UTF-8 text. */
function byteLevel(): ShippedTokenizer {
  const byteLevelStep = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false };
  return {
    tokenizer: {
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: [],
      normalizer: null,
      pre_tokenizer: byteLevelStep,
      post_processor: null,
      decoder: byteLevelStep,
      model: {
        type: 'BPE',
        dropout: null,
        unk_token: null,
        continuing_subword_prefix: null,
        end_of_word_suffix: null,
        fuse_unk: false,
        byte_fallback: false,
        vocab: Object.fromEntries(byteToUnicode().map((ch, b) => [ch, b])),
        merges: [],
      },
    },
    config: {
      tokenizer_class: 'PreTrainedTokenizerFast',
      model_max_length: 4096,
      clean_up_tokenization_spaces: false,
    },
  };
}
