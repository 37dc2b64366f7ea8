import { readFileSync } from 'node:fs';
import { Tiktoken } from 'js-tiktoken/lite';
import type { Tokenizer } from './tokenizer.js';

/** Kimi reserves this many ids after the mergeable ranks for special tokens (`tokenization_kimi.py`). */
const NUM_RESERVED_SPECIAL_TOKENS = 256;

/**
 * Kimi's `pat_str` (`tokenization_kimi.py`) in JavaScript's RegExp syntax (`u` flag, as js-tiktoken
 * compiles it). Upstream uses class intersection (`[…&&[^\p{Han}]]`), the bare `\p{Han}` property and
 * an inline `(?i:…)` group, none of which V8 accepts; they become a per-character lookahead
 * `(?:(?!\p{Script=Han})[…])`, `\p{Script=Han}` and explicit case classes (the translation the Elixir
 * port's tiktoken_ex makes for PCRE). It splits text exactly as the upstream pattern does.
 */
const NOT_HAN = String.raw`(?!\p{Script=Han})`;
const UPPER = String.raw`(?:${NOT_HAN}[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}])`;
const LOWER = String.raw`(?:${NOT_HAN}[\p{Ll}\p{Lm}\p{Lo}\p{M}])`;
const CONTRACTION = `(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?`;
export const KIMI_PAT_STR = [
  String.raw`[\p{Script=Han}]+`,
  String.raw`[^\r\n\p{L}\p{N}]?${UPPER}*${LOWER}+${CONTRACTION}`,
  String.raw`[^\r\n\p{L}\p{N}]?${UPPER}+${LOWER}*${CONTRACTION}`,
  String.raw`\p{N}{1,3}`,
  String.raw` ?[^\s\p{L}\p{N}]+[\r\n]*`,
  String.raw`\s*[\r\n]+`,
  String.raw`\s+(?!\S)`,
  String.raw`\s+`,
].join('|');

/**
 * A tiktoken tokenizer from a model's files, as Kimi ships it: `tiktoken.model` (one `<base64 bytes>
 * <rank>` per line) and `tokenizer_config.json`, whose `added_tokens_decoder` names the special tokens
 * among the 256 ids after the ranks (the others are `<|reserved_token_<id>|>`). Encoding allows special
 * tokens (Python's `allowed_special="all"`, the Elixir default); no BOS is added.
 */
export function fromTiktokenFiles(
  id: string,
  ranksPath: string,
  configPath: string,
  patStr = KIMI_PAT_STR,
): Tokenizer {
  const lines: string[] = [];
  let base = 0;
  for (const line of readFileSync(ranksPath, 'utf8').split('\n')) {
    const [token, rank] = line.trim().split(/\s+/);
    if (!token || rank === undefined) continue;
    // js-tiktoken's compact form: "<ignored> <first rank> <token> <token>…", one token per line here.
    lines.push(`! ${rank} ${token}`);
    base = Math.max(base, Number(rank) + 1);
  }
  if (lines.length === 0) throw new Error(`${ranksPath} holds no ranks`);
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as {
    added_tokens_decoder?: Record<string, { content?: string }>;
  };
  const special: Record<string, number> = {};
  for (let tokenId = base; tokenId < base + NUM_RESERVED_SPECIAL_TOKENS; tokenId++)
    special[config.added_tokens_decoder?.[tokenId]?.content ?? `<|reserved_token_${tokenId}|>`] = tokenId;
  const encoding = new Tiktoken({ pat_str: patStr, special_tokens: special, bpe_ranks: lines.join('\n') });
  return {
    id,
    vocabSize: base + NUM_RESERVED_SPECIAL_TOKENS,
    encode: (text) => encoding.encode(text, 'all'),
    // The special tokens are the reserved ids from `base` on.
    decode: (ids, options = {}) =>
      encoding.decode(options.skip_special_tokens ? ids.filter((t) => t < base) : [...ids]),
  };
}
