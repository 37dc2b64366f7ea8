import { isAscii } from 'node:buffer';

const NO_BYTES = new Uint8Array(0);
const BOM = 0xfeff;

/**
 * Bytes of a long line decoded per piece. At 1 MiB and more a piece is an external string (Node copies
 * it outside the V8 heap), so the garbage collector never moves it; 64 KiB pieces, young-generation
 * strings, spent more time in the collector than in decoding (16 MiB line: 60 vs 40 ms of CPU).
 */
export const DEFAULT_PIECE_SIZE = 1024 * 1024;
/** Below this, `isAscii` plus a view costs more than it saves over `TextDecoder`. */
const ASCII_PATH_MIN = 256;

/** Continuation bytes (10xxxxxx) are never the first byte of a UTF-8 sequence. */
const isContinuation = (byte: number) => (byte & 0xc0) === 0x80;

/**
 * End of the longest prefix of `src[from, to)` after which a UTF-8 decoder is back in its initial state:
 * `to`, or the start of an incomplete sequence among the last three bytes. Cutting there and decoding
 * both sides separately gives the same text as decoding the whole (a byte that is not a continuation
 * byte always restarts the WHATWG decoder, emitting U+FFFD for any sequence it cut short).
 */
export function completeEnd(src: Uint8Array, from: number, to: number): number {
  const stop = Math.max(from, to - 3);
  for (let i = to - 1; i >= stop; i--) {
    const byte = src[i];
    if (byte < 0x80) return to;
    if (!isContinuation(byte)) {
      const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      return to - i >= needed ? to : i;
    }
  }
  // No lead byte among the last three: either they end a 4-byte sequence or they are stray
  // continuation bytes (each already an error); the decoder is in its initial state either way.
  return to;
}

/**
 * UTF-8 → string, with the stream's leading BOM stripped exactly once. Pure-ASCII input (checked
 * natively, with SIMD) is copied as Latin-1, which is the same text: a plain copy instead of the UTF-8
 * decoder's validating passes.
 */
export class StreamText {
  /** Keeps U+FEFF: the stream's leading BOM is stripped by hand, exactly once. */
  private readonly utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
  private started = false;

  /** Decodes `bytes`, which must start and end where a UTF-8 decoder is in its initial state. */
  decode(bytes: Uint8Array): string {
    let text: string;
    if (bytes.length >= ASCII_PATH_MIN) {
      const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
      text = isAscii(view) ? view.toString('latin1') : this.utf8.decode(view);
    } else {
      text = this.utf8.decode(bytes);
    }
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === BOM) text = text.slice(1);
    }
    return text;
  }
}

/**
 * The line whose end has not arrived yet: text already decoded (`pieces`), followed by bytes not yet
 * decoded (copied from the chunks; at most `pieceSize` plus one chunk).
 *
 * A long line is decoded a piece at a time as it arrives and the pieces are joined once when the line
 * ends, instead of growing one byte buffer to the line's size (regrowth copies, page faults on fresh
 * memory) and decoding all of it at the end. A piece ends where a UTF-8 decoder is in its initial
 * state; the ≤3 bytes of a character cut there stay for the next piece. Chunks are copied, never
 * kept: a caller may reuse its buffer.
 */
export class PendingLine {
  private bytes: Uint8Array = NO_BYTES;
  private byteLength = 0;
  private pieces: string[] = [];
  /** UTF-16 code units in `pieces`: none of them is a line break. */
  private decodedLength = 0;

  constructor(
    private readonly text: StreamText,
    private readonly pieceSize = DEFAULT_PIECE_SIZE,
  ) {}

  /** Bytes not yet decoded plus code units decoded: an upper bound on the line's length in code units. */
  get size(): number {
    return this.byteLength + this.decodedLength;
  }

  /** Code units at the start of the next `finish` result that are known to hold no line break. */
  get clearPrefix(): number {
    return this.decodedLength;
  }

  /** Adds `src[from, to)`, which holds no line break. */
  append(src: Uint8Array, from: number, to: number): void {
    this.copy(src, from, to);
    if (this.byteLength >= this.pieceSize) this.flush();
  }

  /** Adds `src[from, to)`, which ends with a line break, and returns the whole line(s); then resets. */
  finish(src: Uint8Array, from: number, to: number): string {
    let tail: string;
    if (this.byteLength === 0) {
      tail = this.text.decode(src.subarray(from, to));
    } else {
      this.copy(src, from, to);
      tail = this.text.decode(this.bytes.subarray(0, this.byteLength));
      this.dropBytes();
    }
    if (this.pieces.length === 0) return tail;
    this.pieces.push(tail);
    const line = this.pieces.join('');
    this.pieces = [];
    this.decodedLength = 0;
    return line;
  }

  /** Forgets the line. */
  clear(): void {
    this.dropBytes();
    this.pieces = [];
    this.decodedLength = 0;
  }

  /** Decodes the kept bytes into a piece, keeping only a trailing incomplete character. */
  private flush(): void {
    const end = completeEnd(this.bytes, 0, this.byteLength);
    const piece = this.text.decode(this.bytes.subarray(0, end));
    this.pieces.push(piece);
    this.decodedLength += piece.length;
    this.bytes.copyWithin(0, end, this.byteLength);
    this.byteLength -= end;
  }

  /** Appends `src[from, to)` to the kept bytes, growing the buffer geometrically. */
  private copy(src: Uint8Array, from: number, to: number): void {
    if (to === from) return;
    const size = this.byteLength + to - from;
    if (size > this.bytes.length) {
      const grown = new Uint8Array(Math.max(size, this.bytes.length * 2, 1024));
      grown.set(this.bytes.subarray(0, this.byteLength));
      this.bytes = grown;
    }
    this.bytes.set(src.subarray(from, to), this.byteLength);
    this.byteLength = size;
  }

  private dropBytes(): void {
    this.byteLength = 0;
    // Do not hold on to the buffer of a long line (it grows to about one piece plus one chunk).
    if (this.bytes.length > 64 * 1024) this.bytes = NO_BYTES;
  }
}
