import type { PortToken } from './port-token.js';
import type { Readable } from 'node:stream';

/** A file part: from a path, bytes, a Blob/File or a Readable stream. */
export interface FileInput {
  /** One of these sources. */
  path?: string;
  data?: Uint8Array | Blob | Readable;
  filename: string;
  contentType?: string;
}

export interface EncodedMultipart {
  contentType: string;
  contentLength?: number;
  body: AsyncIterable<Uint8Array>;
  /** False when a part comes from a one-shot stream, so the request must not be retried. */
  replayable: boolean;
}

/**
 * Multipart port: encodes nested fields (bracket notation) and files as multipart/form-data, streaming
 * file parts. A body with no files is not multipart (the pipeline sends JSON).
 */
export interface Multipart {
  hasFiles(value: unknown): boolean;
  encode(value: Record<string, unknown>, options?: { boundary?: string }): Promise<EncodedMultipart>;
}

export const MultipartToken = Symbol.for('pristine.port.Multipart') as PortToken<Multipart>;
