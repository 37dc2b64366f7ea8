// Writes assets/tokenizers/tinkex/byte-level/{tokenizer,tokenizer_config}.json: a byte-level BPE with no
// merges, where token id b is byte b of the UTF-8 text (the emulator's model is byte-level too).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** GPT-2's byte-to-unicode table: printable stand-ins for every byte. */
function byteToUnicode() {
  const bs = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  const table = new Array(256);
  bs.forEach((b, i) => (table[b] = String.fromCodePoint(cs[i])));
  return table;
}

const table = byteToUnicode();
const vocab = Object.fromEntries(table.map((ch, b) => [ch, b]));
const tokenizer = {
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: [],
  normalizer: null,
  pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
  post_processor: null,
  decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
  model: {
    type: 'BPE',
    dropout: null,
    unk_token: null,
    continuing_subword_prefix: null,
    end_of_word_suffix: null,
    fuse_unk: false,
    byte_fallback: false,
    vocab,
    merges: [],
  },
};
const config = {
  tokenizer_class: 'PreTrainedTokenizerFast',
  model_max_length: 4096,
  clean_up_tokenization_spaces: false,
};
const out = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'assets',
  'tokenizers',
  'tinkex',
  'byte-level',
);
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'tokenizer.json'), `${JSON.stringify(tokenizer, null, 2)}\n`);
writeFileSync(join(out, 'tokenizer_config.json'), `${JSON.stringify(config, null, 2)}\n`);
console.log(`wrote ${out}`);
