import { describe, expect, it } from '@jest/globals';
import { SseBufferOverflowError, WhatwgSseDecoder } from '../../../src/adapters/streaming/sse-decoder.js';
import { PristineError } from '../../../src/kernel/errors/pristine-error.js';
import type { ServerSentEvent } from '../../../src/ports/streaming.js';

const enc = new TextEncoder();

describe('SSE decoder: size', () => {
  it('parses a 16 MiB single event fed in 16-byte chunks', () => {
    const payload = 'x'.repeat(16 * 1024 * 1024);
    const bytes = enc.encode(`data: ${payload}\n\n`);
    const d = new WhatwgSseDecoder(32 * 1024 * 1024);
    const events: ServerSentEvent[] = [];
    for (let i = 0; i < bytes.length; i += 16) events.push(...d.feed(bytes.subarray(i, i + 16)));
    expect(events).toHaveLength(1);
    expect(events[0].data.length).toBe(payload.length);
    expect(events[0].data.endsWith('xxx')).toBe(true);
  });

  it('throws a typed error when an incomplete line passes maxBufferSize, and stays failed', () => {
    const d = new WhatwgSseDecoder(1024);
    d.feed(enc.encode(`data: ${'y'.repeat(1000)}`));
    let error: unknown;
    try {
      d.feed(enc.encode('y'.repeat(100)));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SseBufferOverflowError);
    expect(error).toBeInstanceOf(PristineError);
    expect((error as SseBufferOverflowError).limit).toBe(1024);
    expect(() => d.feed(enc.encode('\n\n'))).toThrow(SseBufferOverflowError);
  });

  it('counts the event being built, not just the current line', () => {
    const line = `data: ${'z'.repeat(90)}\n`;
    const d = new WhatwgSseDecoder(1024);
    expect(() => {
      for (let i = 0; i < 20; i++) d.feed(enc.encode(line)); // each line is short, the event is not
    }).toThrow(SseBufferOverflowError);
  });

  it('allows exactly maxBufferSize, and overflows one past it', () => {
    // 9 characters of data plus 1 for its line: 10, at the limit.
    const complete = new WhatwgSseDecoder(10);
    expect(complete.feed(enc.encode('data: 123456789\n'))).toEqual([]);
    expect(complete.feed(enc.encode('\n'))).toEqual([{ event: 'message', data: '123456789' }]);
    // An incomplete line of 10 bytes is at the limit; the 11th byte passes it.
    const pending = new WhatwgSseDecoder(10);
    expect(pending.feed(enc.encode('data: 1234'))).toEqual([]);
    expect(() => pending.feed(enc.encode('5'))).toThrow(SseBufferOverflowError);
  });

  it('does not throw for many events that are each under the limit', () => {
    const d = new WhatwgSseDecoder(64);
    let n = 0;
    for (let i = 0; i < 1000; i++) n += d.feed(enc.encode(`data: ${'w'.repeat(40)}\n\n`)).length;
    expect(n).toBe(1000);
  });
});
