import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { FormDataEncoder } from 'form-data-encoder';
import type { EncodedMultipart, FileInput, Multipart } from '../../ports/multipart.js';

/** A File-like object whose bytes are read lazily from disk, so a 1 GiB file is never held in memory. */
class PathFile {
  readonly [Symbol.toStringTag] = 'File';
  readonly size: number;
  readonly lastModified: number;
  constructor(
    private readonly path: string,
    readonly name: string,
    readonly type: string,
  ) {
    const stat = statSync(path);
    this.size = stat.size;
    this.lastModified = stat.mtimeMs;
  }
  stream(): ReadableStream<Uint8Array> {
    return Readable.toWeb(createReadStream(this.path)) as ReadableStream<Uint8Array>;
  }
}

/** A File-like object over a one-shot Readable: streamed once, so the request is not replayable. */
class StreamFile {
  readonly [Symbol.toStringTag] = 'File';
  readonly size = undefined as unknown as number;
  readonly lastModified = Date.now();
  constructor(
    private readonly source: Readable,
    readonly name: string,
    readonly type: string,
  ) {}
  stream(): ReadableStream<Uint8Array> {
    return Readable.toWeb(Readable.from(asBytes(this.source))) as ReadableStream<Uint8Array>;
  }
}

/** form-data-encoder silently drops string chunks (e.g. from `Readable.from(['text'])`): send their bytes. */
async function* asBytes(source: Readable): AsyncIterable<Uint8Array> {
  for await (const chunk of source) {
    yield typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array);
  }
}

function isFileInput(value: unknown): value is FileInput {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as FileInput).filename === 'string' &&
    ((value as FileInput).path !== undefined || (value as FileInput).data !== undefined)
  );
}

/**
 * multipart/form-data over form-data-encoder. Nested fields use bracket names (`a[b]`, `a[]`); file
 * parts stream from disk, bytes, Blobs or Readables.
 */
export class FormDataMultipart implements Multipart {
  hasFiles(value: unknown): boolean {
    if (isFileInput(value) || value instanceof Blob) return true;
    if (Array.isArray(value)) return value.some((v) => this.hasFiles(v));
    if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
      return Object.values(value).some((v) => this.hasFiles(v));
    }
    return false;
  }

  async encode(
    value: Record<string, unknown>,
    options: { boundary?: string } = {},
  ): Promise<EncodedMultipart> {
    const form = new FormData();
    let replayable = true;
    const append = (name: string, item: unknown): void => {
      if (item === undefined || item === null) return;
      if (isFileInput(item)) {
        const type = item.contentType ?? 'application/octet-stream';
        if (item.path !== undefined) {
          form.append(
            name,
            new PathFile(item.path, item.filename ?? basename(item.path), type) as unknown as Blob,
            item.filename,
          );
        } else if (item.data instanceof Readable) {
          replayable = false;
          form.append(name, new StreamFile(item.data, item.filename, type) as unknown as Blob, item.filename);
        } else if (item.data instanceof Blob) {
          form.append(name, item.data, item.filename);
        } else {
          form.append(name, new Blob([item.data as Uint8Array<ArrayBuffer>], { type }), item.filename);
        }
      } else if (item instanceof Blob) {
        form.append(name, item);
      } else if (Array.isArray(item)) {
        for (const element of item) append(`${name}[]`, element);
      } else if (typeof item === 'object' && !(item instanceof Uint8Array)) {
        for (const [key, inner] of Object.entries(item)) append(`${name}[${key}]`, inner);
      } else {
        form.append(name, String(item));
      }
    };
    for (const [key, item] of Object.entries(value)) append(key, item);
    const encoder = options.boundary
      ? new FormDataEncoder(form, options.boundary)
      : new FormDataEncoder(form);
    const length = encoder.contentLength;
    return {
      contentType: encoder.contentType,
      contentLength: length === undefined ? undefined : Number(length),
      body: encoder.encode(),
      replayable,
    };
  }
}
