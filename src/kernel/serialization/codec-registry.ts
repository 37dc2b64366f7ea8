import type { BodyCodec, CodecRegistry } from '../../ports/body-codec.js';

/** Content types seen before and their media type ('' for none): responses repeat a handful of them. */
const mediaTypes = new Map<string, string>();
const MAX_REMEMBERED_TYPES = 256;

/** Media type without parameters, lower-cased: `Application/X-Protobuf; x=1` → `application/x-protobuf`. */
export function mediaType(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  // Remembered: a split, a trim and a lower-case copy per response (asked up to three times each).
  let type = mediaTypes.get(contentType);
  if (type === undefined) {
    type = contentType.split(';', 1)[0].trim().toLowerCase();
    if (mediaTypes.size < MAX_REMEMBERED_TYPES) mediaTypes.set(contentType, type);
  }
  return type ? type : undefined;
}

/** Codecs keyed by media type; a later registration for the same type replaces the earlier one. */
export class BodyCodecRegistry implements CodecRegistry {
  private readonly codecs = new Map<string, BodyCodec>();

  constructor(codecs: readonly BodyCodec[] = []) {
    for (const codec of codecs) this.register(codec);
  }

  register(codec: BodyCodec): void {
    const type = mediaType(codec.contentType);
    if (!type) throw new TypeError('A body codec needs a media type');
    this.codecs.set(type, codec);
  }

  lookup(contentType: string | undefined): BodyCodec | undefined {
    const type = mediaType(contentType);
    return type === undefined ? undefined : this.codecs.get(type);
  }
}
