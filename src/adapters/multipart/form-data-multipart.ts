import { openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import {
  FormDataEncoder,
  type FileLike,
  type FormDataEntryValue,
  type FormDataLike,
} from 'form-data-encoder';
import type { EncodedMultipart, FileInput, Multipart } from '../../ports/multipart.js';
import { guardedSource } from '../../kernel/request/guarded-source.js';
import { ValidationError } from '../../kernel/errors/validation-error.js';

/**
 * The parts of one form, in order. Not the global `FormData`: since Node 24 its `append` accepts only real
 * Blobs, and a one-shot stream has no honest Blob form (its size and bytes are unknown until it is read).
 * form-data-encoder reads any spec-shaped FormData, so files are real `File`s and streams its `FileLike`.
 */
class Parts implements FormDataLike {
  readonly [Symbol.toStringTag] = 'FormData';
  private readonly list: [string, FormDataEntryValue][] = [];
  append(name: string, value: FormDataEntryValue): void {
    this.list.push([name, value]);
  }
  getAll(name: string): FormDataEntryValue[] {
    return this.list.filter(([key]) => key === name).map(([, value]) => value);
  }
  entries(): IterableIterator<[string, FormDataEntryValue]> {
    return this.list[Symbol.iterator]();
  }
  [Symbol.iterator](): IterableIterator<[string, FormDataEntryValue]> {
    return this.entries();
  }
}

/**
 * A one-shot Readable as a form-data-encoder file: its size is unknown (so is the Content-Length), and
 * its bytes can be streamed once, so the request is not replayable.
 */
class StreamFile implements FileLike {
  readonly [Symbol.toStringTag] = 'File';
  readonly size = NaN;
  readonly lastModified = Date.now();
  constructor(
    private readonly source: Readable,
    readonly name: string,
    readonly type: string,
    private readonly field: string,
  ) {}
  stream(): AsyncIterable<Uint8Array> {
    return asBytes(this.source, `file part "${this.field}" (${this.name})`);
  }
}

/** form-data-encoder's own chunk size: it re-slices larger chunks, so we hand it none. */
const MAX_CHUNK = 65_536;

/**
 * A stream's chunks as bytes form-data-encoder sends intact. It silently drops string chunks (e.g. from
 * `Readable.from(['text'])`), and re-slices chunks over 64 KiB from the start of their ArrayBuffer,
 * ignoring the view's offset (a `Buffer.subarray` would send the wrong bytes). Views are not copied.
 */
async function* asBytes(source: Readable, what: string): AsyncIterable<Uint8Array> {
  for await (const bytes of guardedSource(source, what, 'give a path or bytes for a part')) {
    for (let at = 0; at < bytes.byteLength; at += MAX_CHUNK) {
      yield bytes.subarray(at, Math.min(at + MAX_CHUNK, bytes.byteLength));
    }
  }
}

/**
 * A file part as a real `File`. A path becomes a disk-backed Blob (`fs.openAsBlob`): its bytes are read
 * from disk each time the body is encoded, never held in memory, and a retry re-reads the file.
 */
async function toFile(item: FileInput, field: string): Promise<File | StreamFile> {
  const type = item.contentType ?? 'application/octet-stream';
  if (item.path !== undefined) {
    const onDisk = await openOnDisk(item.path, type, field);
    return new File([onDisk], item.filename ?? basename(item.path), { type });
  }
  if (item.data instanceof Readable) return new StreamFile(item.data, item.filename, type, field);
  if (item.data instanceof Blob) {
    return new File([item.data], item.filename, { type: item.contentType ?? item.data.type ?? type });
  }
  return new File([item.data as Uint8Array<ArrayBuffer>], item.filename, { type });
}

/**
 * The file at `path`, checked first: Node's `openAsBlob` fails with "Unable to open file as blob"
 * (neither the path nor why), and opens a directory, whose read then fails mid-request; either read as a
 * retryable connection error. A file that cannot be read is the caller's input, never worth a retry.
 */
async function openOnDisk(path: string, type: string, field: string): Promise<Blob> {
  const unreadable = (why: string) =>
    ValidationError.field(
      'multipart file',
      `/${field.replace(/\[/g, '/').replace(/\]/g, '')}`,
      'file',
      `cannot read "${path}": ${why}`,
    );
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw unreadable((error as NodeJS.ErrnoException).code ?? (error as Error).message);
  }
  if (!info.isFile()) throw unreadable('not a file');
  try {
    return await openAsBlob(path, { type });
  } catch (error) {
    throw unreadable((error as NodeJS.ErrnoException).code ?? (error as Error).message);
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
    const form = new Parts();
    let replayable = true;
    const append = async (name: string, item: unknown): Promise<void> => {
      if (item === undefined || item === null) return;
      if (isFileInput(item)) {
        const file = await toFile(item, name);
        if (file instanceof StreamFile) replayable = false;
        form.append(name, file);
      } else if (item instanceof File) {
        form.append(name, item);
      } else if (item instanceof Blob) {
        // A bare Blob is named "blob", as FormData names it.
        form.append(name, new File([item], 'blob', { type: item.type }));
      } else if (Array.isArray(item)) {
        for (const element of item) await append(`${name}[]`, element);
      } else if (typeof item === 'object' && !(item instanceof Uint8Array)) {
        for (const [key, inner] of Object.entries(item)) await append(`${name}[${key}]`, inner);
      } else {
        form.append(name, String(item));
      }
    };
    for (const [key, item] of Object.entries(value)) await append(key, item);
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
