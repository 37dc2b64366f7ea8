import type { ServerSentEvent, SseDecoder } from '../../ports/streaming.js';
import { PristineError } from '../../kernel/errors/pristine-error.js';

/** An incomplete line or event grew past `maxBufferSize`. */
export class SseBufferOverflowError extends PristineError {
  constructor(limit: number) {
    super(`Server-sent event exceeded the maximum buffer size of ${limit} bytes`, { category: 'server' });
  }
}

/**
 * WHATWG event-stream decoder. Chunks go through a streaming TextDecoder (split UTF-8 is safe); only new
 * text is scanned for line breaks, and partial lines are kept as a list joined once, so a multi-MB event
 * fed in tiny chunks parses in linear time.
 */
export class WhatwgSseDecoder implements SseDecoder {
  private readonly text = new TextDecoder('utf-8');
  private pending: string[] = [];
  private pendingLength = 0;
  private sawCr = false;
  private first = true;
  private data: string[] = [];
  private dataLength = 0;
  private eventType = '';
  private retry: number | undefined;
  private lastId: string | undefined;
  private hasFields = false;

  constructor(private readonly maxBufferSize = 64 * 1024 * 1024) {}

  get lastEventId(): string | undefined {
    return this.lastId;
  }

  feed(chunk: Uint8Array): ServerSentEvent[] {
    return this.consume(this.text.decode(chunk, { stream: true }));
  }

  end(): ServerSentEvent[] {
    const events = this.consume(this.text.decode());
    // Per spec an unterminated final line/event is discarded.
    this.pending = [];
    this.pendingLength = 0;
    this.resetEvent();
    return events;
  }

  private consume(input: string): ServerSentEvent[] {
    let text = input;
    if (this.first && text.length > 0) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const events: ServerSentEvent[] = [];
    let start = 0;
    if (this.sawCr && text.length > 0) {
      this.sawCr = false;
      if (text.charCodeAt(0) === 10) start = 1; // the LF of a CRLF split across chunks
    }
    const length = text.length;
    // Positions of the next LF and CR, each searched again only once passed: one scan per chunk.
    let lf = text.indexOf('\n', start);
    let cr = text.indexOf('\r', start);
    while (start < length) {
      if (lf !== -1 && lf < start) lf = text.indexOf('\n', start);
      if (cr !== -1 && cr < start) cr = text.indexOf('\r', start);
      if (lf === -1 && cr === -1) break;
      const end = cr === -1 || (lf !== -1 && lf < cr) ? lf : cr;
      let line = text.slice(start, end);
      if (this.pending.length > 0) {
        this.pending.push(line);
        line = this.pending.join('');
        this.pending = [];
        this.pendingLength = 0;
      }
      this.processLine(line, events);
      if (end === cr) {
        if (end + 1 < length) start = text.charCodeAt(end + 1) === 10 ? end + 2 : end + 1;
        else {
          this.sawCr = true;
          start = end + 1;
        }
      } else start = end + 1;
    }
    if (start < length) {
      const rest = start === 0 ? text : text.slice(start);
      this.pending.push(rest);
      this.pendingLength += rest.length;
      if (this.pendingLength + this.dataLength > this.maxBufferSize)
        throw new SseBufferOverflowError(this.maxBufferSize);
    }
    return events;
  }

  private processLine(line: string, events: ServerSentEvent[]): void {
    if (line.length === 0) {
      this.dispatch(events);
      return;
    }
    if (line.charCodeAt(0) === 58) return; // ':' comment
    const colon = line.indexOf(':');
    let field: string;
    let value: string;
    if (colon === -1) {
      field = line;
      value = '';
    } else {
      field = line.slice(0, colon);
      value = line.charCodeAt(colon + 1) === 32 ? line.slice(colon + 2) : line.slice(colon + 1);
    }
    switch (field) {
      case 'data':
        this.data.push(value);
        this.dataLength += value.length;
        if (this.dataLength > this.maxBufferSize) throw new SseBufferOverflowError(this.maxBufferSize);
        this.hasFields = true;
        break;
      case 'event':
        this.eventType = value;
        this.hasFields = true;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastId = value;
        this.hasFields = true;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retry = Number(value);
        break;
      default:
        break;
    }
  }

  private dispatch(events: ServerSentEvent[]): void {
    if (this.data.length > 0) {
      const event: ServerSentEvent = { event: this.eventType || 'message', data: this.data.join('\n') };
      if (this.lastId !== undefined) event.id = this.lastId;
      if (this.retry !== undefined) event.retry = this.retry;
      events.push(event);
    }
    this.resetEvent();
  }

  private resetEvent(): void {
    this.data = [];
    this.dataLength = 0;
    this.eventType = '';
    this.retry = undefined;
    this.hasFields = false;
  }
}
