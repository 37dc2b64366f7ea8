import { SharedLoads, ValidationError, isPlainObject } from 'pristine-kernel';
import type { Tokenizer } from '../tokenizer/tokenizer.js';
import type { CallScope, OptionDefaults, RequestOptions } from './request-options.js';

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
  /** The one load of this client (one key), shared by its concurrent calls. */
  private readonly loads = new SharedLoads<'tokenizer', Tokenizer>();

  /**
   * `load` gets the signal of the call that started the load (the first caller's); `scope` is the
   * client's, so the deadline runs on the kernel's clock. `defaults` are those of the view a call came
   * through (`withOptions`), passed on each call: this cache is the client's, shared by its views.
   */
  constructor(
    private readonly load: (signal?: AbortSignal) => Promise<Tokenizer>,
    private readonly scope: (
      options: RequestOptions | undefined,
      method: string,
      defaults: OptionDefaults | undefined,
    ) => CallScope,
  ) {}

  /**
   * The caller's signal ends its own wait; a load another call shares goes on. The load runs under the
   * signal of the call that started it: when that signal ends it, a caller still waiting starts the load
   * again under its own, instead of failing with another caller's abort (see `SharedLoads`).
   */
  get(signal?: AbortSignal): Promise<Tokenizer> {
    return this.loads.get('tokenizer', signal, this.load);
  }

  async encode(text: string, options?: EncodeOptions, defaults?: OptionDefaults): Promise<number[]> {
    if (typeof text !== 'string')
      throw ValidationError.field('encode', '/text', 'type', 'text must be a string');
    const { own, tokenizer } = await this.withOption('encode', 'add_special_tokens', options, defaults);
    return tokenizer.encode(text, own);
  }

  async decode(
    tokens: readonly number[],
    options?: DecodeOptions,
    defaults?: OptionDefaults,
  ): Promise<string> {
    if (!Array.isArray(tokens) || !tokens.every((t) => Number.isSafeInteger(t) && t >= 0))
      throw ValidationError.field(
        'decode',
        '/tokens',
        'type',
        'tokens must be an array of non-negative integers',
      );
    const { own, tokenizer } = await this.withOption('decode', 'skip_special_tokens', options, defaults);
    return tokenizer.decode(tokens, own);
  }

  /**
   * The tokenizer, once the call's options are checked: `name` (a boolean of the tokenizer's own) is
   * taken out, and the rest go through the same checks as every call's request options (a misspelt one
   * is refused), then bound the load.
   */
  private async withOption<K extends 'add_special_tokens' | 'skip_special_tokens'>(
    method: string,
    name: K,
    options: (RequestOptions & { [key in K]?: boolean }) | undefined,
    defaults: OptionDefaults | undefined,
  ): Promise<{ own: { [key in K]?: boolean } | undefined; tokenizer: Tokenizer }> {
    const given = isPlainObject(options);
    const { [name]: value, ...request } = (given ? options : {}) as Record<string, unknown>;
    if (value !== undefined && typeof value !== 'boolean')
      throw ValidationError.field(method, `/${name}`, 'type', 'must be a boolean');
    const scope = this.scope(given ? (request as RequestOptions) : options, method, defaults);
    const tokenizer = await scope.run(() => this.get(scope.signal));
    return {
      own: value === undefined ? undefined : ({ [name]: value } as { [key in K]?: boolean }),
      tokenizer,
    };
  }
}
