import { Type, describeValue, ValidationError, type Static } from 'pristine-kernel';
import { maybe, strict, typeTag } from './common.js';
import { checkWire } from './wire-check.js';
import { dmelLength } from './tensor-container.js';

const ImageFormatSchema = Type.Union([Type.Literal('png'), Type.Literal('jpeg')]);

/** The largest token id: protocol 0.25 packs token ids as int32 (no vocabulary comes near it). */
export const MAX_TOKEN_ID = 0x7fff_ffff; // 2^31 − 1

/** Token ids. 0.7.0 sends `{"tokens": [...]}` with no `type`. */
export const EncodedTextChunkSchema = Type.Object(
  { tokens: Type.Array(Type.Integer({ minimum: 0, maximum: MAX_TOKEN_ID })), ...typeTag('encoded_text') },
  strict,
);

/** An inline image, base64 in JSON. `expected_tokens` is advisory (the server checks it). */
export const ImageChunkSchema = Type.Object(
  {
    data: Type.String({ contentEncoding: 'base64' }),
    format: ImageFormatSchema,
    expected_tokens: maybe(Type.Integer({ minimum: 0 })),
    ...typeTag('image'),
  },
  strict,
);

/** An image by reference (path or URL); JSON/sampling only. */
export const ImageAssetPointerChunkSchema = Type.Object(
  {
    format: ImageFormatSchema,
    location: Type.String(),
    expected_tokens: maybe(Type.Integer({ minimum: 0 })),
    ...typeTag('image_asset_pointer'),
  },
  strict,
);

/** Audio features (SDK 0.23.0+): a serialized TensorContainer, base64 in JSON. */
export const DmelChunkSchema = Type.Object(
  { dmel: Type.String({ contentEncoding: 'base64' }), ...typeTag('dmel') },
  strict,
);

/** The chunk kinds are told apart by their fields, so the optional `type` is never needed to decide. */
export const ModelInputChunkSchema = Type.Union([
  EncodedTextChunkSchema,
  ImageChunkSchema,
  ImageAssetPointerChunkSchema,
  DmelChunkSchema,
]);
export const ModelInputSchema = Type.Object({ chunks: Type.Array(ModelInputChunkSchema) }, strict);

export type EncodedTextChunk = Static<typeof EncodedTextChunkSchema>;
export type ImageChunk = Static<typeof ImageChunkSchema>;
export type ImageAssetPointerChunk = Static<typeof ImageAssetPointerChunkSchema>;
export type DmelChunk = Static<typeof DmelChunkSchema>;
export type ModelInputChunk = Static<typeof ModelInputChunkSchema>;
export type ModelInputWire = Static<typeof ModelInputSchema>;

/** A text chunk, shaped as 0.7.0 sends it (no `type`). */
export function encodedTextChunk(tokens: readonly number[]): EncodedTextChunk {
  checkTokens(tokens, '/tokens');
  return { tokens: [...tokens] };
}

/** An inline image chunk; bytes are base64-encoded. `type` is set: servers route images by it. */
export function imageChunk(
  data: Uint8Array | string,
  format: 'png' | 'jpeg',
  expected_tokens?: number,
): ImageChunk {
  if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
    throw ValidationError.field(
      'model input',
      '/data',
      'type',
      'image data must be bytes or a base64 string',
    );
  }
  if (typeof data === 'string' && !BASE64.test(data)) {
    throw ValidationError.field(
      'model input',
      '/data',
      'contentEncoding',
      'image data strings must be base64',
    );
  }
  const base64 = typeof data === 'string' ? data : Buffer.from(data).toString('base64');
  const chunk: ImageChunk = {
    data: base64,
    format,
    ...(expected_tokens === undefined ? {} : { expected_tokens }),
    type: 'image',
  };
  checkWire(ImageChunkSchema, chunk, 'model input');
  return chunk;
}

export function imageAssetPointerChunk(
  location: string,
  format: 'png' | 'jpeg',
  expected_tokens?: number,
): ImageAssetPointerChunk {
  const chunk: ImageAssetPointerChunk = {
    format,
    location,
    ...(expected_tokens === undefined ? {} : { expected_tokens }),
    type: 'image_asset_pointer',
  };
  checkWire(ImageAssetPointerChunkSchema, chunk, 'model input');
  return chunk;
}

/** The length of one chunk in tokens, or undefined when it cannot be known (an image without expected_tokens). */
export function chunkLength(chunk: ModelInputChunk): number | undefined {
  if ('tokens' in chunk) return chunk.tokens.length;
  if ('dmel' in chunk) return dmelLength(chunk);
  if ('expected_tokens' in chunk) return chunk.expected_tokens ?? undefined;
  return undefined;
}

/**
 * A model prompt: a list of chunks (token runs, images). Immutable like the Python SDK's: every
 * builder returns a new input.
 */
export class ModelInput {
  readonly chunks: readonly ModelInputChunk[];

  private constructor(chunks: readonly ModelInputChunk[]) {
    this.chunks = chunks;
  }

  static empty(): ModelInput {
    return new ModelInput([]);
  }

  /** One text chunk of the given token ids. */
  static fromInts(tokens: readonly number[]): ModelInput {
    return new ModelInput([encodedTextChunk(tokens)]);
  }

  /**
   * `text` as one text chunk, tokenized with `tokenizer` (e.g. `await client.getTokenizer()`); special
   * tokens such as BOS are added unless `add_special_tokens: false`.
   */
  static fromText(
    tokenizer: { encode(text: string, options?: { add_special_tokens?: boolean }): number[] },
    text: string,
    options: { add_special_tokens?: boolean } = {},
  ): ModelInput {
    if (typeof tokenizer?.encode !== 'function')
      throw ValidationError.field(
        'model input',
        '/tokenizer',
        'type',
        'tokenizer must have an encode(text) method',
      );
    if (typeof text !== 'string')
      throw ValidationError.field('model input', '/text', 'type', 'text must be a string');
    return ModelInput.fromInts(tokenizer.encode(text, options));
  }

  /** Chunks in wire form; each is checked against its schema (a bad one is a ValidationError). */
  static fromChunks(chunks: readonly ModelInputChunk[]): ModelInput {
    checkWire(ModelInputSchema, { chunks }, 'model input');
    return new ModelInput(chunks.map(copyChunk));
  }

  /** Accept a ModelInput, its wire form, or a plain token list. */
  static from(value: ModelInput | ModelInputWire | readonly number[]): ModelInput {
    if (value instanceof ModelInput) return value;
    if (Array.isArray(value)) return ModelInput.fromInts(value as readonly number[]);
    if (value === null || typeof value !== 'object') {
      throw ValidationError.field(
        'model input',
        '/',
        'type',
        'expected a ModelInput, {chunks: [...]} or a list of token ids',
      );
    }
    return ModelInput.fromChunks((value as ModelInputWire).chunks);
  }

  append(chunk: ModelInputChunk): ModelInput {
    checkWire(ModelInputChunkSchema, chunk, 'model input', '/chunks/-');
    return new ModelInput([...this.chunks, copyChunk(chunk)]);
  }

  /** Append one token as a new text chunk, exactly as the Python SDK's `append_int` does. */
  appendInt(token: number): ModelInput {
    return this.append(encodedTextChunk([token]));
  }

  /** All token ids; only for inputs made of text chunks. */
  toInts(): number[] {
    const out: number[] = [];
    this.chunks.forEach((chunk, i) => {
      if (!('tokens' in chunk)) {
        throw ValidationError.field(
          'model input',
          `/chunks/${i}`,
          'type',
          `toInts() needs text chunks only; chunk ${i} is "${chunk.type ?? 'non-text'}"`,
        );
      }
      for (const token of chunk.tokens) out.push(token);
    });
    return out;
  }

  /** Context length in tokens. Images count their `expected_tokens`, which must then be set. */
  get length(): number {
    let total = 0;
    this.chunks.forEach((chunk, i) => {
      const n = chunkLength(chunk);
      if (n === undefined) {
        throw ValidationError.field(
          'model input',
          `/chunks/${i}/expected_tokens`,
          'required',
          'expected_tokens must be set to compute the length of an image chunk',
        );
      }
      total += n;
    });
    return total;
  }

  /** The wire form `{chunks: [...]}`. */
  toJSON(): ModelInputWire {
    return { chunks: this.chunks.map((c) => ({ ...c })) as ModelInputWire['chunks'] };
  }
}

/** A shallow copy with its own token list, so later edits of the caller's arrays change nothing here. */
function copyChunk(chunk: ModelInputChunk): ModelInputChunk {
  return 'tokens' in chunk ? { ...chunk, tokens: [...chunk.tokens] } : { ...chunk };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function checkTokens(tokens: readonly number[], pointer: string): void {
  if (!Array.isArray(tokens)) {
    throw ValidationError.field('model input', pointer, 'type', 'token ids must be an array of integers');
  }
  for (let i = 0; i < tokens.length; i++) {
    if (!Number.isSafeInteger(tokens[i]) || tokens[i] < 0 || tokens[i] > MAX_TOKEN_ID) {
      throw ValidationError.field(
        'model input',
        `${pointer}/${i}`,
        'integer',
        `token ids are integers from 0 to ${MAX_TOKEN_ID}, got ${describeValue(tokens[i])}`,
      );
    }
  }
}
