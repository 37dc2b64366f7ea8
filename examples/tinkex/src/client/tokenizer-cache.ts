import { abortErrorFor, ValidationError, isPlainObject, untilAborted } from 'pristine-kernel';
import type { Tokenizer } from '../tokenizer/tokenizer.js';
import type { CallScope, RequestOptions } from './request-options.js';

/** `encode`'s options: the tokenizer's own, and the request options of any call. */
export interface EncodeOptions extends RequestOptions {
  /** Add the model's BOS/EOS tokens as its tokenizer config says (default: as the tokenizer does). */
  add_special_tokens?: boolean;
}

/** `decode`'s options: the tokenizer's own, and the request options of any call. */
export interface DecodeOptions extends RequestOptions {
  /** Leave out BOS, EOS and the other special tokens (transformers' `skip_special_tokens`; default false). */
  skip_special_tokens?: boolean;
}

/**
 * The tokenizer of one client, loaded on first use and kept (a failed load is retried next time), for
 * the `encode` / `decode` helpers of TrainingClient and SamplingClient (Elixir tinkex has them too).
 * The first call may download the tokenizer from the Hub, so `signal` and `timeoutMs` bound it like any
 * other call (`timeoutMs` was once accepted and ignored here, which left a stalled Hub unbounded).
 */
export class TokenizerCache {
  private loading?: Promise<Tokenizer>;

  /**
   * `load` gets the signal of the call that started the load (the first caller's); `scope` is the
   * client's, so the deadline runs on the kernel's clock.
   */
  constructor(
    private readonly load: (signal?: AbortSignal) => Promise<Tokenizer>,
    private readonly scope: (options: RequestOptions | undefined, method: string) => CallScope,
  ) {}

  /** The caller's signal ends its own wait; a load another call shares goes on. */
  get(signal?: AbortSignal): Promise<Tokenizer> {
    if (signal?.aborted) return Promise.reject(abortErrorFor(signal));
    this.loading ??= this.load(signal).catch((error: unknown) => {
      this.loading = undefined;
      throw error;
    });
    return untilAborted(this.loading, signal);
  }

  async encode(text: string, options?: EncodeOptions): Promise<number[]> {
    if (typeof text !== 'string')
      throw ValidationError.field('encode', '/text', 'type', 'text must be a string');
    // The request options go through the same checks as every call's (a misspelt one is refused).
    const given = isPlainObject(options);
    const { add_special_tokens, ...request }: EncodeOptions = given ? options : {};
    if (add_special_tokens !== undefined && typeof add_special_tokens !== 'boolean')
      throw ValidationError.field('encode', '/add_special_tokens', 'type', 'must be a boolean');
    const scope = this.scope(given ? request : options, 'encode');
    const tokenizer = await scope.run(() => this.get(scope.signal));
    return tokenizer.encode(text, add_special_tokens === undefined ? undefined : { add_special_tokens });
  }

  async decode(tokens: readonly number[], options?: DecodeOptions): Promise<string> {
    if (!Array.isArray(tokens) || !tokens.every((t) => Number.isSafeInteger(t) && t >= 0))
      throw ValidationError.field(
        'decode',
        '/tokens',
        'type',
        'tokens must be an array of non-negative integers',
      );
    const given = isPlainObject(options);
    const { skip_special_tokens, ...request }: DecodeOptions = given ? options : {};
    if (skip_special_tokens !== undefined && typeof skip_special_tokens !== 'boolean')
      throw ValidationError.field('decode', '/skip_special_tokens', 'type', 'must be a boolean');
    const scope = this.scope(given ? request : options, 'decode');
    const tokenizer = await scope.run(() => this.get(scope.signal));
    return tokenizer.decode(tokens, skip_special_tokens === undefined ? undefined : { skip_special_tokens });
  }
}
