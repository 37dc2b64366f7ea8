import type { BodyCodec, CodecRegistry } from '../../ports/body-codec.js';

/** Media type without parameters, lower-cased: `Application/X-Protobuf; x=1` → `application/x-protobuf`. */
export function mediaType(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';', 1)[0].trim().toLowerCase();
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
