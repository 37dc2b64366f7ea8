import { Type } from '@sinclair/typebox';
import type { FileInput } from '../../ports/multipart.js';

/**
 * The input schema of one file part of a `bodyType: 'multipart'` endpoint, typed as `FileInput`: a
 * `filename` and one source, `path` (read from disk, re-read on a retry) or `data` (bytes, a Blob or a
 * Readable; a Readable is sent once and never retried). The source itself is not checked by the
 * schema (a Blob or a stream is not JSON); the multipart adapter reads it.
 */
export function FileInputSchema(options: { description?: string } = {}) {
  return Type.Unsafe<FileInput>(
    Type.Object(
      {
        filename: Type.String({ minLength: 1 }),
        contentType: Type.Optional(Type.String()),
        path: Type.Optional(Type.String({ minLength: 1 })),
        data: Type.Optional(Type.Unknown()),
      },
      {
        ...options,
        anyOf: [{ required: ['path'] }, { required: ['data'] }],
        additionalProperties: false,
      },
    ),
  );
}
