import { join } from 'node:path';
import { ValidationError } from 'pristine-kernel';
import { downloadToCache } from '../hub/hub-cache.js';
import { hubSettings, type HubOptions } from '../hub/hub-settings.js';
import { locateTokenizer } from './locate.js';
import { resolveTokenizer } from './resolve.js';
import { fromFiles, type Tokenizer } from './tokenizer.js';

export interface GetTokenizerOptions extends HubOptions {
  /** `get_info`'s `model_data.tokenizer_id`, which wins over the model name (its `:suffix` is dropped). */
  tokenizer_id?: string | null;
  /** A Hub revision (branch, tag or commit); default the SDK's pin for the model, else `main`. */
  revision?: string;
}

const loaded = new Map<string, Promise<Tokenizer>>();

/**
 * The tokenizer of `model`, resolved as the Python SDK does (see `resolveTokenizer`: `tokenizer_id`,
 * the Llama-3 shared tokenizer, `org/model`, Kimi's pinned revisions), from the first place that has it:
 * `$TINKEX_TOKENIZER_CACHE/<id>`, the Hugging Face cache (`HF_HUB_CACHE`/`$HF_HOME/hub`), the tokenizers
 * bundled with Tinkex, and finally the Hub (`HF_ENDPOINT`, with `HF_TOKEN`), which downloads
 * `tokenizer.json` (+ `tokenizer_config.json`) into the Hugging Face cache, so the next call sends nothing.
 * Kimi models (tiktoken) download `tiktoken.model` + `tokenizer_config.json` and load with js-tiktoken.
 * With `HF_HUB_OFFLINE=1` only the caches are used (`HubOfflineError` names what is missing). Loaded
 * tokenizers are kept per id, revision and cache.
 */
export function getTokenizer(model: string, options: GetTokenizerOptions = {}): Promise<Tokenizer> {
  const ref = resolveTokenizer(model, options.tokenizer_id);
  const settings = hubSettings(options);
  const revision = options.revision ?? ref.revision ?? 'main';
  const key = `${ref.tokenizer_id}@${revision}@${settings.cacheDir}@${settings.hubUrl}`;
  let hit = loaded.get(key);
  if (!hit) {
    hit = load(ref.tokenizer_id, revision, Boolean(ref.trust_remote_code), options);
    loaded.set(key, hit);
    // A failure is not remembered: the next call tries again (the network may be back, a token set).
    hit.catch(() => loaded.delete(key));
  }
  return hit;
}

async function load(
  id: string,
  revision: string,
  tiktoken: boolean,
  options: GetTokenizerOptions,
): Promise<Tokenizer> {
  if (!/^[\w.-]+(\/[\w.-]+)?$/.test(id))
    throw ValidationError.field(
      'tokenizer',
      '/tokenizer_id',
      'repo-id',
      `"${id}" is not a Hugging Face repo id`,
    );
  const settings = hubSettings(options);
  if (tiktoken) {
    const dir = await downloadToCache(
      id,
      revision,
      { required: ['tiktoken.model', 'tokenizer_config.json'] },
      settings,
    );
    const { fromTiktokenFiles } = await import('./tiktoken.js');
    return fromTiktokenFiles(id, join(dir, 'tiktoken.model'), join(dir, 'tokenizer_config.json'));
  }
  const local = locateTokenizer(id, {
    hubCache: settings.cacheDir,
    env: options.env,
    complete: !settings.offline,
    ...(revision !== 'main' ? { revision } : {}),
  });
  if (local) return fromFiles(id, local);
  const dir = await downloadToCache(
    id,
    revision,
    { required: ['tokenizer.json'], optional: ['tokenizer_config.json'] },
    settings,
  );
  return fromFiles(id, dir);
}
