import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  SseBufferOverflowError,
  WhatwgSseDecoder,
  lastLineBreak,
} from '../../../src/adapters/streaming/sse-decoder.js';
import { SseStreaming } from '../../../src/adapters/streaming/sse-streaming.js';
import type { ServerSentEvent } from '../../../src/ports/streaming.js';

const enc = new TextEncoder();

function decodeChunks(chunks: Uint8Array[], maxBufferSize?: number): ServerSentEvent[] {
  const d = new WhatwgSseDecoder(maxBufferSize);
  const events = chunks.flatMap((c) => d.feed(c));
  return [...events, ...d.end()];
}

const decode = (...parts: string[]) => decodeChunks(parts.map((p) => enc.encode(p)));

/** Cut `bytes` at the given (sorted, unique, interior) offsets. */
function cut(bytes: Uint8Array, offsets: number[]): Uint8Array[] {
  const points = [0, ...offsets, bytes.length];
  return points.slice(1).map((end, i) => bytes.subarray(points[i], end));
}

const RECORDED =
  '\uFEFF: keep-alive comment\n' +
  'id: 1\nevent: token\ndata: {"t":"héllo ✓ 😀"}\n\n' +
  'data: line one\r\ndata: line two\r\n\r\n' +
  'retry: 2500\ndata: cr only\r\rdata:no-space\n\n' +
  'event: done\nid: 2\ndata: [DONE]\n\n';

const EXPECTED: ServerSentEvent[] = [
  { event: 'token', data: '{"t":"héllo ✓ 😀"}', id: '1' },
  { event: 'message', data: 'line one\nline two', id: '1' },
  { event: 'message', data: 'cr only', id: '1', retry: 2500 },
  { event: 'message', data: 'no-space', id: '1' },
  { event: 'done', data: '[DONE]', id: '2' },
];

describe('SSE decoder: WHATWG event-stream rules', () => {
  it('decodes a recorded stream: BOM, comments, ids, event names, CRLF, CR only, multi-line data, retry', () => {
    expect(decode(RECORDED)).toEqual(EXPECTED);
  });

  it('treats CR alone as a line ending', () => {
    expect(decode('data: a\rdata: b\r\revent: x\rdata: c\r\r')).toEqual([
      { event: 'message', data: 'a\nb' },
      { event: 'x', data: 'c' },
    ]);
  });

  it('does not read a CRLF split across chunks as two line endings', () => {
    // If the LF were a second line break, "a" would be dispatched on its own.
    expect(decode('data: a\r', '\ndata: b\r', '\n\r', '\n')).toEqual([{ event: 'message', data: 'a\nb' }]);
    expect(decode('data: a\r', '\n', '\r', '\n')).toEqual([{ event: 'message', data: 'a' }]);
  });

  it('keeps a blank line that follows a chunk-final CR', () => {
    // CR | CR: the second CR is a real (blank) line, not the tail of a CRLF.
    expect(decode('data: a\r', '\r')).toEqual([{ event: 'message', data: 'a' }]);
  });

  it('strips one leading BOM, even split across chunks, and only at the start of the stream', () => {
    const bom = enc.encode('\uFEFF');
    const body = enc.encode('data: x\n\n');
    expect(decodeChunks([bom.subarray(0, 1), bom.subarray(1), body])).toEqual([
      { event: 'message', data: 'x' },
    ]);
    // A second BOM is part of the field name, so that line is an unknown field.
    expect(decode('\uFEFF\uFEFFdata: x\n\ndata: y\n\n')).toEqual([{ event: 'message', data: 'y' }]);
    expect(decode('data: x\n\n\uFEFFdata: y\n\n')).toEqual([{ event: 'message', data: 'x' }]);
  });

  it('ignores comments, including inside an event', () => {
    expect(decode(':hello\ndata: a\n: mid-event\ndata: b\n:\n\n')).toEqual([
      { event: 'message', data: 'a\nb' },
    ]);
  });

  it('removes exactly one space after the colon and reads a field without colon as an empty value', () => {
    expect(decode('data:  two\n\ndata\n\ndata:\ndata\n\n')).toEqual([
      { event: 'message', data: ' two' },
      { event: 'message', data: '' },
      { event: 'message', data: '\n' },
    ]);
  });

  it('dispatches on a blank line with the default type "message" and resets the type', () => {
    expect(decode('event: update\ndata: 1\n\ndata: 2\n\nevent:\ndata: 3\n\n')).toEqual([
      { event: 'update', data: '1' },
      { event: 'message', data: '2' },
      { event: 'message', data: '3' },
    ]);
  });

  it('does not dispatch data-less events (and their type does not leak into the next)', () => {
    expect(decode('event: ping\n\nid: 7\n\n\n\ndata: x\n\n')).toEqual([
      { event: 'message', data: 'x', id: '7' },
    ]);
  });

  it('keeps the last event id across events, ignores ids with NUL, and updates lastEventId on blank lines', () => {
    const d = new WhatwgSseDecoder();
    expect(d.lastEventId).toBeUndefined();
    expect(d.feed(enc.encode('id: a\ndata: 1\n\ndata: 2\n\nid: b\0c\ndata: 3\n\n'))).toEqual([
      { event: 'message', data: '1', id: 'a' },
      { event: 'message', data: '2', id: 'a' },
      { event: 'message', data: '3', id: 'a' },
    ]);
    d.feed(enc.encode('id: z\n'));
    expect(d.lastEventId).toBe('a'); // the id buffer is committed when the event ends
    d.feed(enc.encode('\n'));
    expect(d.lastEventId).toBe('z'); // even without data
    expect(d.feed(enc.encode('id\ndata: 4\n\n'))).toEqual([{ event: 'message', data: '4', id: '' }]);
  });

  it('accepts retry only when it is all ASCII digits, and reports it once', () => {
    expect(
      decode(
        'retry: 1x\ndata: a\n\nretry:\ndata: b\n\nretry: ３\ndata: c\n\nretry: 10\ndata: d\n\ndata: e\n\n',
      ),
    ).toEqual([
      { event: 'message', data: 'a' },
      { event: 'message', data: 'b' },
      { event: 'message', data: 'c' },
      { event: 'message', data: 'd', retry: 10 },
      { event: 'message', data: 'e' },
    ]);
    // Every digit counts, the first and the last of the range included.
    expect(decode('retry: 0123456789\ndata: f\n\n')).toEqual([
      { event: 'message', data: 'f', retry: 123456789 },
    ]);
  });

  it('carries a retry from a data-less block to the next event (servers often send it alone)', () => {
    expect(decode('retry: 3000\n\ndata: x\n\n')).toEqual([{ event: 'message', data: 'x', retry: 3000 }]);
  });

  it('passes [DONE]-style sentinels through as plain data', () => {
    expect(decode('data: {"a":1}\n\ndata: [DONE]\n\n').map((e) => e.data)).toEqual(['{"a":1}', '[DONE]']);
  });

  it('decodes multibyte UTF-8 split at every byte of the character', () => {
    const bytes = enc.encode('data: a😀é✓b\n\n');
    for (let i = 1; i < bytes.length; i++) {
      expect(decodeChunks(cut(bytes, [i]))).toEqual([{ event: 'message', data: 'a😀é✓b' }]);
    }
  });

  it('replaces invalid UTF-8 with U+FFFD without losing the line break after it', () => {
    const bytes = Uint8Array.of(...enc.encode('data: a'), 0xf0, 0x9f, ...enc.encode('\n\n'));
    expect(decodeChunks([bytes])).toEqual([{ event: 'message', data: 'a\uFFFD' }]);
  });

  it('discards an unterminated final event and an unterminated final line at end()', () => {
    const d = new WhatwgSseDecoder();
    expect(d.feed(enc.encode('data: done\n\ndata: unfinished\n'))).toEqual([
      { event: 'message', data: 'done' },
    ]);
    expect(d.end()).toEqual([]);
    // Discarded, not kept: a blank line fed after end() dispatches nothing of it.
    expect(d.feed(enc.encode('\n'))).toEqual([]);
    expect(decode('data: x\n\ndata: no line end')).toEqual([{ event: 'message', data: 'x' }]);
  });

  it('SseStreaming builds independent decoders with the given buffer limit', () => {
    const streaming = new SseStreaming();
    const a = streaming.createDecoder();
    const b = streaming.createDecoder({ maxBufferSize: 8 });
    a.feed(enc.encode('data: half'));
    expect(a.feed(enc.encode('\n\n'))).toEqual([{ event: 'message', data: 'half' }]);
    expect(() => b.feed(enc.encode('data: too long'))).toThrow(SseBufferOverflowError);
  });
});

describe('SSE decoder: chunking never changes the events (properties)', () => {
  const bytes = enc.encode(RECORDED);

  it('gives identical events for a cut at every byte boundary', () => {
    for (let i = 1; i < bytes.length; i++) expect(decodeChunks(cut(bytes, [i]))).toEqual(EXPECTED);
  });

  it('gives identical events when fed one byte at a time (split CRLF, BOM and UTF-8)', () => {
    expect(decodeChunks(Array.from(bytes, (b) => Uint8Array.of(b)))).toEqual(EXPECTED);
  });

  it('gives identical events for random split points', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 24 }),
        (cuts) => {
          expect(
            decodeChunks(
              cut(
                bytes,
                cuts.sort((a, b) => a - b),
              ),
            ),
          ).toEqual(EXPECTED);
        },
      ),
      { numRuns: 500 },
    );
  });

  // Random streams: any Unicode text in values, any line ending, comments between fields.
  const text = fc.string({ unit: 'binary', maxLength: 12 }).map((s) => s.replace(/[\r\n]/g, ''));
  const lineEnd = fc.constantFrom('\n', '\r', '\r\n');
  const block = fc.record({
    event: fc.option(text, { nil: undefined }),
    id: fc.option(text, { nil: undefined }),
    data: fc.array(text, { maxLength: 3 }),
    comment: fc.boolean(),
  });

  it('decodes generated streams as their model says, however they are cut', () => {
    fc.assert(
      fc.property(
        fc.array(block, { maxLength: 6 }),
        lineEnd,
        fc.array(fc.nat(), { maxLength: 10 }),
        (blocks, eol, rawCuts) => {
          let source = '';
          const expected: ServerSentEvent[] = [];
          let lastId: string | undefined;
          for (const b of blocks) {
            if (b.comment) source += `: note${eol}`;
            if (b.event !== undefined) source += `event: ${b.event}${eol}`;
            if (b.id !== undefined) source += `id: ${b.id}${eol}`;
            for (const line of b.data) source += `data: ${line}${eol}`;
            source += eol;
            if (b.id !== undefined && !b.id.includes('\0')) lastId = b.id;
            if (b.data.length > 0) {
              const event: ServerSentEvent = { event: b.event || 'message', data: b.data.join('\n') };
              if (lastId !== undefined) event.id = lastId;
              expected.push(event);
            }
          }
          const all = enc.encode(source);
          const cuts = [...new Set(rawCuts.map((n) => (all.length > 1 ? 1 + (n % (all.length - 1)) : 0)))]
            .filter((n) => n > 0)
            .sort((a, b) => a - b);
          expect(decodeChunks(cut(all, cuts))).toEqual(expected);
        },
      ),
      { numRuns: 400 },
    );
  });
});

// Lines longer than the decoder's 64-byte tail go to a native backward search over a view of the
// chunk's remainder: these cases put breaks on both sides of that boundary, in chunks that are views
// at non-zero offsets into a larger buffer (as cuts of one stream are).
describe('SSE decoder: long lines (native line-break search)', () => {
  const reference = (chunk: Uint8Array, from: number) => {
    for (let i = chunk.length - 1; i >= from; i--) if (chunk[i] === 10 || chunk[i] === 13) return i;
    return -1;
  };

  it('finds the last CR or LF at or after `from` like a plain scan, in views at any offset', () => {
    const byte = fc.oneof(
      { weight: 30, arbitrary: fc.integer({ min: 32, max: 255 }) },
      { weight: 1, arbitrary: fc.constantFrom(10, 13) },
    );
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 400 }), fc.nat(), fc.nat(), fc.nat(), (bytes, a, b, f) => {
        const all = Uint8Array.from(bytes);
        const start = all.length ? a % all.length : 0;
        const view = all.subarray(start, start + (b % (all.length - start + 1)));
        const from = view.length ? f % view.length : 0;
        expect(lastLineBreak(view, from)).toBe(reference(view, from));
      }),
      { numRuns: 2000 },
    );
  });

  const longLine = fc
    .string({ unit: 'binary', minLength: 40, maxLength: 300 })
    .map((s) => s.replace(/[\r\n]/g, ''));
  const eol = fc.constantFrom('\n', '\r', '\r\n');
  const events = fc.array(fc.tuple(fc.array(longLine, { minLength: 1, maxLength: 3 }), eol), {
    minLength: 1,
    maxLength: 4,
  });
  const source = (blocks: [string[], string][]) =>
    blocks.map(([lines, end]) => lines.map((l) => `data: ${l}${end}`).join('') + end).join('');
  const expected = (blocks: [string[], string][]) =>
    blocks.map(([lines]) => ({ event: 'message', data: lines.join('\n') }));

  it('gives the same events for long lines however they are cut', () => {
    fc.assert(
      fc.property(events, fc.array(fc.nat(), { maxLength: 12 }), (blocks, rawCuts) => {
        const all = enc.encode(source(blocks));
        const cuts = [...new Set(rawCuts.map((n) => 1 + (n % (all.length - 1))))].sort((a, b) => a - b);
        expect(decodeChunks(cut(all, cuts))).toEqual(expected(blocks));
      }),
      { numRuns: 400 },
    );
  });

  it('gives the same events for a cut at every byte boundary of long CR, LF and CRLF lines', () => {
    const blocks: [string[], string][] = [
      [['a'.repeat(100), 'é'.repeat(70)], '\r'],
      [['b'.repeat(64)], '\r\n'],
      [['c'.repeat(200), 'd'.repeat(63)], '\n'],
    ];
    const all = enc.encode(source(blocks));
    for (let i = 1; i < all.length; i++) {
      for (const j of [i + 1, i + 65, i + 130]) {
        const cuts = j < all.length ? [i, j] : [i];
        expect(decodeChunks(cut(all, cuts))).toEqual(expected(blocks));
      }
    }
  });
});

// A long line is decoded a piece at a time (1 MiB by default) and the pieces joined when it ends.
describe('SSE decoder: lines decoded in pieces', () => {
  const feedAll = (d: WhatwgSseDecoder, chunks: Uint8Array[]) => chunks.flatMap((c) => d.feed(c));

  it('finds a line break at the very start of the chunk that ends a line decoded in pieces', () => {
    for (const eol of ['\n', '\r', '\r\n']) {
      const head = enc.encode(`data: ${'a'.repeat(5000)}`);
      const d = new WhatwgSseDecoder(undefined, 1024);
      expect(feedAll(d, [head, enc.encode(`${eol}${eol}`)]).map((e) => e.data.length)).toEqual([5000]);
    }
  });

  it('strips the BOM when a piece boundary falls inside it', () => {
    const bytes = enc.encode('\uFEFFevent: x\ndata: y\n\n');
    const d = new WhatwgSseDecoder(undefined, 1);
    const chunks = Array.from(bytes, (b) => Uint8Array.of(b));
    expect(feedAll(d, chunks)).toEqual([{ event: 'x', data: 'y' }]);
  });

  it('decodes a 3 MiB line of multibyte characters fed in uneven chunks', () => {
    const payload = 'é✓😀x'.repeat(300_000);
    const bytes = enc.encode(`data: ${payload}\r\n\r\n`);
    const chunks = [];
    for (let i = 0, size = 7; i < bytes.length; i += size, size = size === 7 ? 65_537 : 7) {
      chunks.push(bytes.subarray(i, i + size));
    }
    const events = feedAll(new WhatwgSseDecoder(), chunks);
    expect(events).toHaveLength(1);
    expect(events[0].data === payload).toBe(true);
  });
});
