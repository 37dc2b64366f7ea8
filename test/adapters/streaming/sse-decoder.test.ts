import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { SseBufferOverflowError, WhatwgSseDecoder } from '../../../src/adapters/streaming/sse-decoder.js';
import type { ServerSentEvent } from '../../../src/ports/streaming.js';

const enc = new TextEncoder();

function decodeChunks(chunks: Uint8Array[]): ServerSentEvent[] {
  const d = new WhatwgSseDecoder();
  const events = chunks.flatMap((c) => d.feed(c));
  return [...events, ...d.end()];
}

const RECORDED =
  '\uFEFF: keep-alive comment\n' +
  'id: 1\nevent: token\ndata: {"t":"héllo ✓"}\n\n' +
  'data: line one\r\ndata: line two\r\n\r\n' +
  'retry: 2500\ndata: cr only\r\rdata:no-space\n\n' +
  'event: done\nid: 2\ndata: [DONE]\n\n';

const EXPECTED: ServerSentEvent[] = [
  { event: 'token', data: '{"t":"héllo ✓"}', id: '1' },
  { event: 'message', data: 'line one\nline two', id: '1' },
  { event: 'message', data: 'cr only', id: '1', retry: 2500 },
  { event: 'message', data: 'no-space', id: '1' },
  { event: 'done', data: '[DONE]', id: '2' },
];

describe('SSE decoder (WHATWG event-stream rules)', () => {
  it('decodes the spec cases: BOM, comments, ids, events, CRLF, CR only, multi-line data, retry', () => {
    expect(decodeChunks([enc.encode(RECORDED)])).toEqual(EXPECTED);
  });

  it('gives identical events for every split of the recorded stream (property)', () => {
    const bytes = enc.encode(RECORDED);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }),
        (cuts) => {
          const points = [0, ...cuts.sort((a, b) => a - b), bytes.length];
          const chunks = points.slice(1).map((end, i) => bytes.subarray(points[i], end));
          expect(decodeChunks(chunks)).toEqual(EXPECTED);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives identical events when fed one byte at a time (split CRLF and split UTF-8)', () => {
    const bytes = enc.encode(RECORDED);
    expect(decodeChunks(Array.from(bytes, (b) => Uint8Array.of(b)))).toEqual(EXPECTED);
  });

  it('discards an unterminated final event and ignores ids with NUL and non-numeric retry', () => {
    expect(decodeChunks([enc.encode('id: a\0b\nretry: 1x\ndata: x\n\ndata: unfinished')])).toEqual([
      { event: 'message', data: 'x' },
    ]);
  });

  it('parses a 16 MiB single event fed in 16-byte chunks', () => {
    const payload = 'x'.repeat(16 * 1024 * 1024);
    const bytes = enc.encode(`data: ${payload}\n\n`);
    const d = new WhatwgSseDecoder(32 * 1024 * 1024);
    let events: ServerSentEvent[] = [];
    for (let i = 0; i < bytes.length; i += 16) events = events.concat(d.feed(bytes.subarray(i, i + 16)));
    expect(events).toHaveLength(1);
    expect(events[0].data.length).toBe(payload.length);
  });

  it('fails with a typed error past the maximum buffer size', () => {
    const d = new WhatwgSseDecoder(1024);
    expect(() => d.feed(enc.encode(`data: ${'y'.repeat(2048)}`))).toThrow(SseBufferOverflowError);
  });
});
