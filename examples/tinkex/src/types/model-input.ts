import type { ModelInputChunk, ModelInputWire } from './schemas.js';

/** A model prompt: a list of chunks (token runs and images). Immutable; builders return new inputs. */
export class ModelInput {
  readonly chunks: readonly ModelInputChunk[];

  private constructor(chunks: readonly ModelInputChunk[]) {
    this.chunks = chunks;
  }

  static empty(): ModelInput {
    return new ModelInput([]);
  }

  static fromInts(tokens: readonly number[]): ModelInput {
    return new ModelInput([{ tokens: [...tokens] }]);
  }

  static fromChunks(chunks: readonly ModelInputChunk[]): ModelInput {
    return new ModelInput([...chunks]);
  }

  /** Accept a ModelInput, its wire form, or a plain token list. */
  static from(value: ModelInput | ModelInputWire | readonly number[]): ModelInput {
    if (value instanceof ModelInput) return value;
    if (Array.isArray(value)) return ModelInput.fromInts(value as number[]);
    return ModelInput.fromChunks((value as ModelInputWire).chunks);
  }

  append(chunk: ModelInputChunk): ModelInput {
    return new ModelInput([...this.chunks, chunk]);
  }

  /** Append one token, extending the last text chunk when there is one. */
  appendInt(token: number): ModelInput {
    const last = this.chunks.at(-1);
    if (last && 'tokens' in last) {
      return new ModelInput([...this.chunks.slice(0, -1), { ...last, tokens: [...last.tokens, token] }]);
    }
    return this.append({ tokens: [token] });
  }

  /** All tokens; only valid when every chunk is text. */
  toInts(): number[] {
    return this.chunks.flatMap((chunk) => {
      if (!('tokens' in chunk)) throw new TypeError(`toInts(): chunk of type "${chunk.type}" has no tokens`);
      return chunk.tokens;
    });
  }

  /** Length in tokens (images count their expected tokens). */
  get length(): number {
    return this.chunks.reduce((n, c) => n + ('tokens' in c ? c.tokens.length : (c.expected_tokens ?? 0)), 0);
  }

  toJSON(): ModelInputWire {
    return { chunks: this.chunks.map((c) => ({ ...c })) as ModelInputWire['chunks'] };
  }
}
