import { APIConnectionError } from '../errors/api-errors.js';
import { sanitizedCause } from '../errors/error-secrets.js';
import { PristineError } from '../errors/pristine-error.js';

/**
 * Read a whole body. A stream that breaks mid-body is a connection error, so the attempt is retried.
 * Past `limitBytes` the read stops (the body is let go): what came so far, or `tooLarge()` thrown.
 */
export async function readAll(
  body: AsyncIterable<Uint8Array>,
  limitBytes = Infinity,
  tooLarge?: () => Error,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      size += chunk.byteLength;
      if (size > limitBytes) {
        if (tooLarge) throw tooLarge();
        break;
      }
      chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    }
  } catch (error) {
    if (error instanceof PristineError) throw error;
    throw new APIConnectionError(`Connection broke while reading the response: ${(error as Error).message}`, {
      cause: sanitizedCause(error),
    });
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}
