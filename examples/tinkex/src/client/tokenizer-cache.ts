import { ValidationError } from 'pristine-kernel';
import type { Tokenizer } from '../tokenizer/tokenizer.js';

/**
 * The tokenizer of one client, loaded on first use and kept (a failed load is retried next time), for
 * the `encode` / `decode` helpers of TrainingClient and SamplingClient (Elixir tinkex has them too).
 */
export class TokenizerCache {
  private loading?: Promise<Tokenizer>;

  constructor(private readonly load: () => Promise<Tokenizer>) {}

  get(): Promise<Tokenizer> {
    this.loading ??= this.load().catch((error: unknown) => {
      this.loading = undefined;
      throw error;
    });
    return this.loading;
  }

  async encode(text: string, options?: { add_special_tokens?: boolean }): Promise<number[]> {
    if (typeof text !== 'string')
      throw ValidationError.field('encode', '/text', 'type', 'text must be a string');
    return (await this.get()).encode(text, options);
  }

  async decode(tokens: readonly number[]): Promise<string> {
    if (!Array.isArray(tokens) || !tokens.every((t) => Number.isSafeInteger(t) && t >= 0))
      throw ValidationError.field(
        'decode',
        '/tokens',
        'type',
        'tokens must be an array of non-negative integers',
      );
    return (await this.get()).decode(tokens);
  }
}
