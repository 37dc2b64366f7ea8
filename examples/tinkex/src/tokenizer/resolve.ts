/**
 * Which tokenizer a model uses, exactly as the Python SDK decides (`_load_tokenizer_from_model_info`,
 * 0.8.1–0.24.1): `get_info`'s `model_data.tokenizer_id` when present (with its `:suffix` stripped, as
 * `get_info` does), else by the model name without its `:suffix`:
 * - `meta-llama/Llama-3*` → `thinkingmachineslabinc/meta-llama-3-instruct-tokenizer` (avoids gating);
 * - `org/model/variant` (exactly two `/`) → `org/model`;
 * - anything else → the name itself.
 * Kimi tokenizers are pinned to a revision (and need remote code in Python); `TML/` and
 * `thinkingmachines/` ids come from Thinking Machines' private `tml_tokenizers` package.
 */
export interface TokenizerRef {
  tokenizer_id: string;
  /** Hub revision to load, when the SDK pins one. */
  revision?: string;
  /** Python loads these with `trust_remote_code=True` (tiktoken-based, not a tokenizer.json). */
  trust_remote_code?: boolean;
  /** Served by `tml_tokenizers` in Python. */
  tml?: boolean;
}

const LLAMA_3 = 'thinkingmachineslabinc/meta-llama-3-instruct-tokenizer';

const PINNED: Readonly<Record<string, { tokenizer_id: string; revision: string }>> = {
  'moonshotai/Kimi-K2-Thinking': {
    tokenizer_id: 'moonshotai/Kimi-K2-Thinking',
    revision: '612681931a8c906ddb349f8ad0f582cb552189cd',
  },
  'moonshotai/Kimi-K2.5': {
    tokenizer_id: 'moonshotai/Kimi-K2.5',
    revision: '4d01dfe0332d63057c186e0b262165819efb6611',
  },
  'moonshotai/Kimi-K2.5-Text-Only': {
    tokenizer_id: 'moonshotai/Kimi-K2.5',
    revision: '4d01dfe0332d63057c186e0b262165819efb6611',
  },
  'moonshotai/Kimi-K2.6': {
    tokenizer_id: 'moonshotai/Kimi-K2.6',
    revision: 'b5aabbfb20227ed42becbf5541dbffd213942c58',
  },
};

export function resolveTokenizer(modelName: string, tokenizerId?: string | null): TokenizerRef {
  let id: string;
  if (tokenizerId) {
    id = tokenizerId.split(':')[0];
  } else {
    const name = modelName.split(':')[0];
    if (name.startsWith('meta-llama/Llama-3')) id = LLAMA_3;
    else if (name.split('/').length === 3) id = name.split('/').slice(0, 2).join('/');
    else id = name;
  }
  if (id.startsWith('TML/') || id.startsWith('thinkingmachines/')) return { tokenizer_id: id, tml: true };
  const pinned = PINNED[id];
  if (pinned) return { ...pinned, trust_remote_code: true };
  return { tokenizer_id: id };
}

/** Just the id (see `resolveTokenizer`). */
export function resolveTokenizerId(modelName: string, tokenizerId?: string | null): string {
  return resolveTokenizer(modelName, tokenizerId).tokenizer_id;
}

/**
 * A `get_info` answer with `model_data.tokenizer_id` cut at its first `:`, as the Python SDK's
 * `models.get_info` returns it (the suffix is the service's, no tokenizer hub knows it).
 */
export function withBareTokenizerId<T extends { model_data: { tokenizer_id?: string | null } }>(info: T): T {
  const id = info.model_data.tokenizer_id;
  if (!id?.includes(':')) return info;
  return { ...info, model_data: { ...info.model_data, tokenizer_id: id.split(':')[0] } };
}
