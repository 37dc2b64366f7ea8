import type { ServerSentEvent, SseDecoder } from '../../ports/streaming.js';
import { PristineError } from '../../kernel/errors/pristine-error.js';
import { DEFAULT_PIECE_SIZE, PendingLine, StreamText } from './pending-line.js';

/** An incomplete line plus the event being built grew past `maxBufferSize`; the stream must be dropped. */
export class SseBufferOverflowError extends PristineError {
  readonly limit: number;

  constructor(limit: number) {
    super(
      `Server-sent event exceeded the maximum buffer size of ${limit} characters (the SSE decoder's ` +
        'maxBufferSize: one line plus the event being built; a stream that never ends a line stops here).',
      {
        category: 'server',
        retryable: false,
      },
    );
    this.limit = limit;
  }
}

/** 64 MiB of text: far above any sane event, low enough that a runaway stream fails before memory does. */
export const DEFAULT_SSE_MAX_BUFFER_SIZE = 64 * 1024 * 1024;

const LF = 10;
const CR = 13;
const COLON = 58;
const SPACE = 32;

/**
 * WHATWG event-stream decoder ("9.2.6 Interpreting an event stream").
 *
 * Line breaks are found in the bytes: LF and CR never occur inside a UTF-8 sequence, so every complete
 * line can be decoded on its own. Each chunk is decoded from its first byte up to its last line break
 * (found by a native backward search past the chunk's tail); the bytes after it, an incomplete line, go
 * to a `PendingLine`, which copies them and decodes a long line 1 MiB at a time, joining the pieces
 * once when the line ends. So a 16 MiB event costs a copy, a decode and a join, whether it arrives 16
 * bytes or 64 KiB at a time — linear, with no re-scan or re-concatenation of what came before. A
 * multibyte character split across chunks is kept as bytes until it is complete, so it decodes whole.
 * Complete lines are then parsed in place with `indexOf` and prefix checks.
 *
 * `maxBufferSize` bounds the incomplete line (bytes) plus the current event's data (UTF-16 code units,
 * equal to bytes for ASCII and never more than the UTF-8 byte count). Past it, `feed` throws
 * `SseBufferOverflowError` and the decoder stays failed (the stream must be dropped).
 */
export class WhatwgSseDecoder implements SseDecoder {
  private readonly line: PendingLine;
  /** The last byte seen was CR: a LF at the start of the next chunk belongs to it. */
  private sawCr = false;
  private failed = false;

  // The event being built.
  private data = '';
  private dataLines = 0;
  private eventType = '';
  /** Last event id buffer: survives dispatch, per spec. */
  private idBuffer: string | undefined;
  /** A `retry` not yet reported; it rides on the next dispatched event (even across data-less blocks). */
  private retry: number | undefined;
  private lastId: string | undefined;
  /** Events of the current feed; allocated only when one is dispatched. */
  private out: ServerSentEvent[] | undefined;

  /**
   * @param pieceSize Bytes of a long line decoded at a time (a tuning knob; the default suits lines of
   *   any length, and tests make it small to put piece boundaries everywhere).
   */
  constructor(
    private readonly maxBufferSize = DEFAULT_SSE_MAX_BUFFER_SIZE,
    pieceSize = DEFAULT_PIECE_SIZE,
  ) {
    this.line = new PendingLine(new StreamText(), pieceSize);
  }

  get lastEventId(): string | undefined {
    return this.lastId;
  }

  feed(chunk: Uint8Array): ServerSentEvent[] {
    if (this.failed) throw new SseBufferOverflowError(this.maxBufferSize);
    const length = chunk.length;
    if (length === 0) return [];
    let from = 0;
    if (this.sawCr) {
      this.sawCr = false;
      if (chunk[0] === LF) from = 1; // the LF of a CRLF split across chunks
    }
    const last = lastLineBreak(chunk, from);
    if (last === -1) {
      // Middle of a line (the 16 MiB case): nothing to parse yet.
      this.keep(chunk, from, length);
      return [];
    }
    const clearPrefix = this.line.clearPrefix;
    const text = this.line.finish(chunk, from, last + 1);
    if (last === length - 1) this.sawCr = chunk[last] === CR;
    else this.keep(chunk, last + 1, length);
    this.out = undefined;
    this.parseLines(text, clearPrefix);
    if (this.line.size + this.data.length + this.dataLines > this.maxBufferSize) this.overflow();
    return this.out ?? [];
  }

  end(): ServerSentEvent[] {
    // Per spec an unterminated final line, and an event without its blank line, are discarded.
    this.line.clear();
    this.sawCr = false;
    this.resetEvent();
    return [];
  }

  /** Adds `chunk[from, to)`, which holds no line break, to the incomplete line, within the limit. */
  private keep(chunk: Uint8Array, from: number, to: number): void {
    if (to === from) return;
    if (this.line.size + to - from + this.data.length + this.dataLines > this.maxBufferSize) this.overflow();
    this.line.append(chunk, from, to);
  }

  /**
   * Parses `text`, which holds only complete lines (it ends with a line break) and no line break in its
   * first `clearPrefix` code units (the already decoded start of a long line: not searched again).
   */
  private parseLines(text: string, clearPrefix: number): void {
    const length = text.length;
    let start = 0;
    let lf = text.indexOf('\n', clearPrefix);
    let cr = text.indexOf('\r', clearPrefix);
    if (cr === -1) {
      // LF-only text, the common case: the simple loop.
      while (lf !== -1) {
        this.parseLine(text, start, lf);
        start = lf + 1;
        lf = text.indexOf('\n', start);
      }
      return;
    }
    while (start < length) {
      // Each position is searched again only once passed: the text is scanned once per break kind.
      const end = cr === -1 || (lf !== -1 && lf < cr) ? lf : cr;
      this.parseLine(text, start, end);
      start = end + 1;
      if (end === cr) {
        if (lf === start) start++; // CRLF
        cr = text.indexOf('\r', start);
      }
      if (lf !== -1 && lf < start) lf = text.indexOf('\n', start);
    }
  }

  private overflow(): never {
    this.failed = true;
    this.line.clear();
    this.resetEvent();
    throw new SseBufferOverflowError(this.maxBufferSize);
  }

  /** One complete line, `s[start, end)`, without its line break. */
  private parseLine(s: string, start: number, end: number): void {
    if (start === end) {
      this.dispatch();
      return;
    }
    const first = s.charCodeAt(start);
    if (first === COLON) return; // comment
    // Fast path for the field nearly every line carries.
    if (
      first === 100 && // d
      s.charCodeAt(start + 1) === 97 && // a
      s.charCodeAt(start + 2) === 116 && // t
      s.charCodeAt(start + 3) === 97 && // a
      s.charCodeAt(start + 4) === COLON &&
      start + 4 < end
    ) {
      const from = start + 5 < end && s.charCodeAt(start + 5) === SPACE ? start + 6 : start + 5;
      this.appendData(s.slice(from, end));
      return;
    }
    if (first === 105 && s.charCodeAt(start + 1) === 100 && s.charCodeAt(start + 2) === COLON) {
      // id:
      const value = s.slice(s.charCodeAt(start + 3) === SPACE ? start + 4 : start + 3, end);
      if (!value.includes('\0')) this.idBuffer = value;
      return;
    }
    if (
      first === 101 && // e
      s.charCodeAt(start + 1) === 118 && // v
      s.charCodeAt(start + 2) === 101 && // e
      s.charCodeAt(start + 3) === 110 && // n
      s.charCodeAt(start + 4) === 116 && // t
      s.charCodeAt(start + 5) === COLON
    ) {
      this.eventType = s.slice(s.charCodeAt(start + 6) === SPACE ? start + 7 : start + 6, end);
      return;
    }
    // Slice first: searching `s` for ':' could run past `end` into later lines (quadratic).
    const line = start === 0 && end === s.length ? s : s.slice(start, end);
    const colon = line.indexOf(':');
    let field = line;
    let value = '';
    if (colon !== -1) {
      field = line.slice(0, colon);
      value = line.slice(line.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1);
    }
    switch (field) {
      case 'data':
        this.appendData(value);
        break;
      case 'event':
        this.eventType = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.idBuffer = value;
        break;
      case 'retry':
        if (isAsciiDigits(value)) this.retry = Number(value);
        break;
      default:
        break; // unknown fields are ignored
    }
  }

  private appendData(value: string): void {
    // String concatenation builds a rope in V8: O(1) per line, flattened once when read.
    this.data = this.dataLines === 0 ? value : `${this.data}\n${value}`;
    this.dataLines++;
  }

  private dispatch(): void {
    this.lastId = this.idBuffer;
    if (this.dataLines > 0) {
      const event: ServerSentEvent = { event: this.eventType || 'message', data: this.data };
      if (this.idBuffer !== undefined) event.id = this.idBuffer;
      if (this.retry !== undefined) {
        event.retry = this.retry;
        this.retry = undefined;
      }
      (this.out ??= []).push(event);
    }
    this.data = '';
    this.dataLines = 0;
    this.eventType = '';
  }

  private resetEvent(): void {
    this.data = '';
    this.dataLines = 0;
    this.eventType = '';
  }
}

/** Bytes searched by a plain loop before a chunk's remainder goes to the native search. */
const TAIL_BYTES = 64;

/**
 * Index of the last LF or CR in `chunk[from..]`, or -1. The last `TAIL_BYTES` are searched by a plain
 * backward loop: in a chunk of small events the break is a few bytes from the end, and for tiny chunks
 * the loop beats the call overhead of a native search. Past that (a large event, where a whole chunk
 * holds no break) the rest goes to `Buffer#lastIndexOf`, a native backward byte search: 16 MiB of
 * 64 KiB chunks took 40-70 ms in the loop and under 1 ms natively.
 */
export function lastLineBreak(chunk: Uint8Array, from: number): number {
  const length = chunk.length;
  const stop = Math.max(from, length - TAIL_BYTES);
  for (let i = length - 1; i >= stop; i--) {
    const byte = chunk[i];
    if (byte === LF || byte === CR) return i;
  }
  if (stop === from) return -1;
  const rest = Buffer.from(chunk.buffer, chunk.byteOffset + from, stop - from);
  const found = Math.max(rest.lastIndexOf(LF), rest.lastIndexOf(CR));
  return found === -1 ? -1 : from + found;
}

function isAsciiDigits(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
