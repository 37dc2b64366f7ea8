import type { RequestBody } from '../../ports/transport.js';

/**
 * A request body's size in bytes when it is known before it is sent: a string's UTF-8 length, bytes'
 * length, a stream's declared `Content-Length` (a multipart upload of files from disk); undefined for a
 * stream of unknown size. No body is 0.
 */
export function knownBodySize(
  body: RequestBody | undefined,
  contentLength: string | undefined,
): number | undefined {
  if (body === undefined) return 0;
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (body instanceof Uint8Array) return body.byteLength;
  const declared = Number(contentLength);
  return contentLength !== undefined && Number.isSafeInteger(declared) ? declared : undefined;
}
