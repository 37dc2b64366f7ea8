import { join } from 'node:path';
import { OptionChecks, SharedLoads, ValidationError, optionNames } from 'pristine-kernel';
import { hubOptionChecks, withHubOptions } from '../hub/check-hub-options.js';
import { downloadToCache } from '../hub/hub-cache.js';
import { hubSettings, type HubOptions } from '../hub/hub-settings.js';
import { locateTokenizer } from './locate.js';
import { resolveTokenizer } from './resolve.js';
import { fromFiles, fromShipped, type Tokenizer } from './tokenizer.js';

export interface GetTokenizerOptions extends HubOptions {
  /** `get_info`'s `model_data.tokenizer_id`, which wins over the model name (its `:suffix` is dropped). */
  tokenizer_id?: string | null;
  /** A Hub revision (branch, tag or commit); default the SDK's pin for the model, else `main`. */
  revision?: string;
}

/** A tokenizer loaded, and whether later calls may reuse it. */
interface Loaded {
  readonly tokenizer: Tokenizer;
  readonly keep: boolean;
}

/**
 * Loads per key, shared by concurrent calls: each caller's own signal ends its wait, a load the signal of
 * the call that started it ended is started again for a caller still waiting, and a failure is not
 * remembered (the next call tries again: the network may be back, a token set).
 */
const loads = new SharedLoads<string, Loaded>();

const TOKENIZER_OPTIONS = withHubOptions(
  optionNames<Omit<GetTokenizerOptions, keyof HubOptions>>({ tokenizer_id: true, revision: true }),
  'a getTokenizer option',
);

/**
 * Checked as a client's `getTokenizer` options are: a misspelt `revison` would load `main`, a misspelt
 * `cacheDirr` would download into the default cache, and neither would say so.
 */
function checkTokenizerOptions(options: GetTokenizerOptions | undefined): GetTokenizerOptions {
  const where = 'getTokenizer options';
  const o = OptionChecks.optionsObject(where, options, TOKENIZER_OPTIONS);
  const checks = hubOptionChecks(where, o).string('revision', o.revision, { nonEmpty: true });
  // `get_info` may answer null (or an empty id: then the model name decides, as in Python).
  if (o.tokenizer_id !== null) checks.string('tokenizer_id', o.tokenizer_id);
  checks.throwIfAny();
  return o;
}

/**
 * The tokenizer of `model`, resolved as the Python SDK does (see `resolveTokenizer`: `tokenizer_id`,
 * the Llama-3 shared tokenizer, `org/model`, Kimi's pinned revisions), from the first place that has it:
 * `$TINKEX_TOKENIZER_CACHE/<id>`, the Hugging Face cache (`HF_HUB_CACHE`/`$HF_HOME/hub`), the tokenizers
 * bundled with Tinkex, and finally the Hub (`HF_ENDPOINT`, with `HF_TOKEN`), which downloads
 * `tokenizer.json` (+ `tokenizer_config.json`) into the Hugging Face cache, so the next call sends nothing.
 * Kimi models (tiktoken) download `tiktoken.model` + `tokenizer_config.json` and load with js-tiktoken.
 * With `HF_HUB_OFFLINE=1` only the caches are used (`HubOfflineError` names what is missing). Loaded
 * tokenizers are kept per id, revision, caches, Hub and offline setting (an offline load from a snapshot
 * without its tokenizer_config.json is not kept). Options are checked first: an unknown key or a wrong
 * type rejects with a ValidationError naming it, and nothing is read or fetched.
 */
export function getTokenizer(model: string, given?: GetTokenizerOptions): Promise<Tokenizer> {
  let options: GetTokenizerOptions;
  try {
    options = checkTokenizerOptions(given);
  } catch (error) {
    return Promise.reject(error as Error);
  }
  const ref = resolveTokenizer(model, options.tokenizer_id);
  const settings = hubSettings(options);
  const revision = options.revision ?? ref.revision ?? 'main';
  const tiktoken = Boolean(ref.trust_remote_code);
  // Every input that can change what `load` returns: the Tinkex cache of the call's env and offline
  // (offline accepts a snapshot that online would complete first) as well as the Hub and its cache.
  const key = JSON.stringify([
    ref.tokenizer_id,
    revision,
    tiktoken,
    settings.cacheDir,
    settings.hubUrl,
    settings.offline,
    (options.env ?? process.env).TINKEX_TOKENIZER_CACHE ?? null,
  ]);
  // The load runs under the signal of the call that starts it. Not kept: an offline load from a short
  // snapshot (once an online call completed it, offline reads that).
  const start = (signal: AbortSignal | undefined) =>
    load(ref.tokenizer_id, revision, tiktoken, { ...options, signal });
  const loading = loads.get(key, options.signal, start, { keep: ({ keep }) => keep });
  return loading.then(({ tokenizer }) => tokenizer);
}

async function load(
  id: string,
  revision: string,
  tiktoken: boolean,
  options: GetTokenizerOptions,
): Promise<Loaded> {
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
    const tokenizer = fromTiktokenFiles(id, join(dir, 'tiktoken.model'), join(dir, 'tokenizer_config.json'));
    return { tokenizer, keep: true };
  }
  const locate = (complete: boolean) =>
    locateTokenizer(id, {
      hubCache: settings.cacheDir,
      env: options.env,
      complete,
      ...(revision !== 'main' ? { revision } : {}),
    });
  const local = locate(!settings.offline);
  if (local) return { tokenizer: fromFiles(id, local), keep: !settings.offline || locate(true) === local };
  // After the caches (a tokenizer put there wins), before the Hub: in code, so found wherever Tinkex is.
  const shipped = fromShipped(id);
  if (shipped) return { tokenizer: shipped, keep: true };
  const dir = await downloadToCache(
    id,
    revision,
    { required: ['tokenizer.json'], optional: ['tokenizer_config.json'] },
    settings,
  );
  return { tokenizer: fromFiles(id, dir), keep: true };
}
