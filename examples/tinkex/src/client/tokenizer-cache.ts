import { APIUserAbortError, ValidationError } from 'pristine-kernel';
import { untilAborted } from '../plugin/until-aborted.js';
import type { Tokenizer } from '../tokenizer/tokenizer.js';

/**
 * The tokenizer of one client, loaded on first use and kept (a failed load is retried next time), for
 * the `encode` / `decode` helpers of TrainingClient and SamplingClient (Elixir tinkex has them too).
 */
export class TokenizerCache {
  private loading?: Promise<Tokenizer>;

  /** `load` gets the signal of the call that started the load (the first caller's). */
  constructor(private readonly load: (signal?: AbortSignal) => Promise<Tokenizer>) {}

  /** The caller's signal ends its own wait; a load another call shares goes on. */
  get(signal?: AbortSignal): Promise<Tokenizer> {
    if (signal?.aborted) return Promise.reject(new APIUserAbortError(undefined, { cause: signal.reason }));
    this.loading ??= this.load(signal).catch((error: unknown) => {
      this.loading = undefined;
      throw error;
    });
    return untilAborted(this.loading, signal);
  }

  async encode(
    text: string,
    options?: { add_special_tokens?: boolean; signal?: AbortSignal },
  ): Promise<number[]> {
    if (typeof text !== 'string')
      throw ValidationError.field('encode', '/text', 'type', 'text must be a string');
    const tokenizer = await this.get(options?.signal);
    return tokenizer.encode(
      text,
      options?.add_special_tokens === undefined
        ? undefined
        : { add_special_tokens: options.add_special_tokens },
    );
  }

  async decode(tokens: readonly number[], options?: { signal?: AbortSignal }): Promise<string> {
    if (!Array.isArray(tokens) || !tokens.every((t) => Number.isSafeInteger(t) && t >= 0))
      throw ValidationError.field(
        'decode',
        '/tokens',
        'type',
        'tokens must be an array of non-negative integers',
      );
    return (await this.get(options?.signal)).decode(tokens);
  }
}
