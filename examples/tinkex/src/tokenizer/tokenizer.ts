import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { ValidationError } from 'pristine';

/** What the SDK needs from a tokenizer. */
export interface Tokenizer {
  readonly id: string;
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
  decode(ids: readonly number[]): string;
}

const BUNDLED = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'assets', 'tokenizers');

/**
 * The tokenizer id for a model, as the Python SDK resolves it: `get_info`'s tokenizer_id when present
 * (its `:suffix` stripped), else Llama-3 models share one tokenizer, `org/model/variant` uses `org/model`,
 * otherwise the model name itself.
 */
export function resolveTokenizerId(modelName: string, tokenizerId: string | null | undefined): string {
  if (tokenizerId) return tokenizerId.split(':')[0];
  const name = modelName.split(':')[0];
  if (name.startsWith('meta-llama/Llama-3')) return 'thinkingmachineslabinc/meta-llama-3-instruct-tokenizer';
  const parts = name.split('/');
  return parts.length >= 3 ? `${parts[0]}/${parts[1]}` : name;
}

/** Directories searched, in order: bundled assets, $TINKEX_TOKENIZER_CACHE/<id>, and the HF hub cache. */
function candidates(id: string): string[] {
  const dirs = [join(BUNDLED, id)];
  if (process.env.TINKEX_TOKENIZER_CACHE) dirs.push(join(process.env.TINKEX_TOKENIZER_CACHE, id));
  const hub = join(
    process.env.HF_HOME ?? join(homedir(), '.cache', 'huggingface'),
    'hub',
    `models--${id.replace('/', '--')}`,
    'snapshots',
  );
  if (existsSync(hub)) for (const snapshot of readdirSync(hub)) dirs.push(join(hub, snapshot));
  return dirs;
}

const cache = new Map<string, Tokenizer>();

/** Load a Hugging Face tokenizer from local files (never from the network). */
export function loadTokenizer(id: string): Tokenizer {
  const hit = cache.get(id);
  if (hit) return hit;
  const dir = candidates(id).find((d) => existsSync(join(d, 'tokenizer.json')));
  if (!dir) {
    throw ValidationError.field(
      'tokenizer',
      '/tokenizer_id',
      'available',
      `tokenizer "${id}" is not available locally; put tokenizer.json and tokenizer_config.json under $TINKEX_TOKENIZER_CACHE/${id} (or the Hugging Face hub cache)`,
    );
  }
  const json = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8'));
  const configPath = join(dir, 'tokenizer_config.json');
  const config = existsSync(configPath) ? JSON.parse(readFileSync(configPath, 'utf8')) : {};
  const hf = new HfTokenizer(json, config);
  const tokenizer: Tokenizer = {
    id,
    encode: (text, options = {}) =>
      hf.encode(text, { add_special_tokens: options.add_special_tokens ?? true }).ids,
    decode: (ids) => hf.decode([...ids]),
  };
  cache.set(id, tokenizer);
  return tokenizer;
}
