import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { shippedTokenizer } from '../../src/tokenizer/shipped.js';

// The shipped `tinkex/byte-level` tokenizer as the files a Hub repo or a cache holds (what
// assets/tokenizers/tinkex/byte-level/ held before round 29 moved it into code, byte for byte): tests seed
// fake Hubs and caches with them.
const shipped = shippedTokenizer('tinkex/byte-level');
if (!shipped) throw new Error('tinkex/byte-level is no longer shipped');
const file = (value: object) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`);

export const BYTE_LEVEL_TOKENIZER_JSON = file(shipped.tokenizer);
export const BYTE_LEVEL_CONFIG_JSON = file(shipped.config);

/** Write tokenizer.json and tokenizer_config.json into `dir` (created if need be). */
export async function writeByteLevel(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'tokenizer.json'), BYTE_LEVEL_TOKENIZER_JSON);
  await writeFile(join(dir, 'tokenizer_config.json'), BYTE_LEVEL_CONFIG_JSON);
}
