import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createParser } from 'eventsource-parser';
import { completeEnd, DEFAULT_PIECE_SIZE } from '../../src/adapters/streaming/pending-line.js';
import { WhatwgSseDecoder } from '../../src/adapters/streaming/sse-decoder.js';
import type { ServerSentEvent } from '../../src/ports/streaming.js';
import { FUZZ_TIMEOUT_MS, fuzzParams } from '../support/fuzz.js';

/**
 * The SSE decoder on generated streams cut into generated chunks. Lines run from empty to 140 KiB and
 * the decoder's piece size (bytes of a long line decoded at a time) from 1 byte to its 1 MiB default,
 * so lines are kept whole or decoded in pieces that end anywhere, inside characters too. Values hold
 * multibyte characters, U+FEFF and invalid UTF-8; line endings are mixed CR, LF and CRLF; and besides
 * random chunk sizes the cuts land on purpose between a CR and its LF, inside UTF-8 sequences and just
 * before the end of a long line. Every cut must give the events the stream's model says, and the same
 * `data`/`event` as eventsource-parser fed the same chunks through a streaming TextDecoder.
 */

const enc = new TextEncoder();
/** The model decodes each value on its own; U+FEFF inside a value is text, not a BOM. */
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

type Part = string | readonly number[] | Uint8Array;
const bytesOf = (...parts: Part[]): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? enc.encode(p) : Uint8Array.from(p))));

/** Pieces of a value: ASCII, 2/3/4-byte characters, U+FEFF, colons, and invalid or cut-short UTF-8. */
const unit = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: fc.constantFrom('a', 'z', ' ', ':', '{', '"'), maxLength: 6 }) },
  { weight: 3, arbitrary: fc.constantFrom('é', '✓', '😀', '\uFEFF', 'ß€') },
  {
    weight: 1,
    arbitrary: fc.constantFrom([0x80], [0xff], [0xc0, 0x80], [0xf0, 0x9f], [0xe2, 0x9c], [0xed, 0xa0, 0x80]),
  },
);
const shortValue = fc.array(unit, { maxLength: 5 }).map((units) => bytesOf(...units));
/** A few units repeated to 1–140 KiB, so its characters land at every offset of chunks and pieces. */
const longValue = fc
  .tuple(fc.array(unit, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1024, max: 140 * 1024 }))
  .map(([units, size]) => {
    const found = bytesOf(...units);
    const pattern = found.length ? found : enc.encode('a');
    const out = new Uint8Array(size - (size % pattern.length) + pattern.length);
    for (let at = 0; at < out.length; at += pattern.length) out.set(pattern, at);
    return out;
  });
const value = fc.oneof({ weight: 5, arbitrary: shortValue }, { weight: 1, arbitrary: longValue });
const eol = fc.constantFrom('\n', '\r', '\r\n');

const block = fc.record({
  comment: fc.option(shortValue, { nil: undefined }),
  event: fc.option(fc.string({ unit: fc.constantFrom('a', 'b', 'é'), maxLength: 4 }), { nil: undefined }),
  id: fc.option(fc.constantFrom('1', 'abc', '', 'x\0y', '😀'), { nil: undefined }),
  retry: fc.option(fc.constantFrom('0', '2500', '1x', ''), { nil: undefined }),
  data: fc.array(value, { maxLength: 3 }),
  eols: fc.array(eol, { minLength: 7, maxLength: 7 }),
});

type Block = typeof block extends fc.Arbitrary<infer T> ? T : never;

/** The stream's bytes and the events the WHATWG rules give for it. */
function build(blocks: Block[], bom: boolean, unterminated: Uint8Array | undefined) {
  const out: Uint8Array[] = bom ? [Uint8Array.of(0xef, 0xbb, 0xbf)] : [];
  const events: ServerSentEvent[] = [];
  let lastId: string | undefined;
  let retry: number | undefined;
  let afterCr = false;
  for (const b of blocks) {
    let e = 0;
    const line = (...parts: Part[]) => {
      let end = b.eols[e++ % 7];
      // CR then LF is one line ending: a blank line after a CR must not start with a lone LF.
      if (afterCr && parts.length === 0 && end === '\n') end = '\r\n';
      afterCr = end === '\r';
      out.push(bytesOf(...parts, end));
    };
    if (b.comment) line(':', b.comment);
    if (b.event !== undefined) line('event: ', b.event);
    if (b.id !== undefined) line('id: ', b.id);
    if (b.retry !== undefined) line('retry: ', b.retry);
    for (const d of b.data) line('data: ', d);
    line();
    if (b.id !== undefined && !b.id.includes('\0')) lastId = b.id;
    if (b.retry !== undefined && /^\d+$/.test(b.retry)) retry = Number(b.retry);
    if (b.data.length > 0) {
      const event: ServerSentEvent = {
        event: b.event || 'message',
        data: b.data.map((d) => utf8.decode(d)).join('\n'),
      };
      if (lastId !== undefined) event.id = lastId;
      if (retry !== undefined) event.retry = retry;
      retry = undefined;
      events.push(event);
    }
  }
  // An event whose blank line never comes (its last line may lack a line end too) is discarded.
  if (unterminated) out.push(bytesOf('data: ', unterminated, '\n', 'data: tail'));
  return { bytes: new Uint8Array(Buffer.concat(out)), events, lastId };
}

/** Cut points: from a cycle of chunk sizes, plus aimed ones. */
function cutPoints(bytes: Uint8Array, sizes: number[], aims: number[]): number[] {
  const cuts = new Set<number>();
  for (let at = 0, i = 0; at < bytes.length; i++) {
    at += sizes[i % sizes.length];
    if (at < bytes.length) cuts.add(at);
  }
  // Between a CR and its LF, inside a UTF-8 sequence, and just before the end of a long line (its
  // decoded pieces are then joined with a tail that starts with the line break).
  const targets: number[][] = [[], [], []];
  let lineStart = 0;
  for (let i = 1; i < bytes.length; i++) {
    const b = bytes[i];
    if (bytes[i - 1] === 13) targets[0].push(i);
    if ((b & 0xc0) === 0x80) targets[1].push(i);
    if (b === 10 || b === 13) {
      if (i - lineStart > 1024) targets[2].push(i);
      lineStart = i + 1;
    }
  }
  for (const a of aims) {
    const kind = targets[a % 3];
    if (kind.length > 0) cuts.add(kind[Math.floor(a / 3) % kind.length]);
  }
  return [...cuts].sort((a, b) => a - b);
}

/** Bytes a long line is decoded by: tiny ones put piece boundaries inside every character. */
const pieceSize = fc.oneof(
  fc.integer({ min: 1, max: 4 }),
  fc.integer({ min: 5, max: 5000 }),
  fc.constant(DEFAULT_PIECE_SIZE),
);

const chunkSize = fc.oneof(
  fc.integer({ min: 1, max: 4 }),
  fc.integer({ min: 5, max: 400 }),
  fc.integer({ min: 15 * 1024, max: 70 * 1024 }),
);

function chunksOf(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [0, ...cuts, bytes.length];
  return points.slice(1).map((end, i) => bytes.subarray(points[i], end));
}

function ours(chunks: Uint8Array[], pieceSize: number) {
  const d = new WhatwgSseDecoder(undefined, pieceSize);
  const events = chunks.flatMap((c) => d.feed(c));
  return { events: [...events, ...d.end()], lastEventId: d.lastEventId };
}

function theirs(chunks: Uint8Array[]) {
  const events: { event: string; data: string }[] = [];
  const parser = createParser({
    onEvent: (e) => events.push({ event: e.event ?? 'message', data: e.data }),
  });
  const text = new TextDecoder();
  for (const c of chunks) parser.feed(text.decode(c, { stream: true }));
  // It holds back a final CR (waiting for a LF that may follow) and has no end-of-stream call; a LF
  // completes that CRLF without adding a line.
  const last = chunks.at(-1);
  if (last?.at(-1) === 13) parser.feed('\n');
  return events;
}

describe('SSE decoder: generated streams, generated chunks (fuzz)', () => {
  it(
    'gives the model’s events, and eventsource-parser’s data and types, however the stream is cut',
    () => {
      fc.assert(
        fc.property(
          fc.array(block, { maxLength: 5 }),
          fc.boolean(),
          fc.option(value, { nil: undefined }),
          fc.array(chunkSize, { minLength: 1, maxLength: 8 }),
          fc.array(fc.nat(), { maxLength: 12 }),
          pieceSize,
          (blocks, bom, unterminated, sizes, aims, piece) => {
            const { bytes, events, lastId } = build(blocks, bom, unterminated);
            const chunks = chunksOf(bytes, cutPoints(bytes, sizes, aims));
            const got = ours(chunks, piece);
            expect(got.events).toEqual(events);
            expect(got.events.map(({ event, data }) => ({ event, data }))).toEqual(theirs(chunks));
            expect(got.lastEventId).toBe(lastId);
          },
        ),
        fuzzParams(150),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it('cuts UTF-8 only where decoding the two sides apart gives the text of decoding them together', () => {
    const byte = fc.oneof(
      fc.integer({ min: 0, max: 0x7f }),
      fc.integer({ min: 0x80, max: 0xbf }),
      fc.integer({ min: 0xc0, max: 0xff }),
    );
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 24 }), fc.nat(), fc.nat(), (raw, f, t) => {
        const all = Uint8Array.from(raw);
        const to = all.length ? t % (all.length + 1) : 0;
        const from = to ? f % (to + 1) : 0;
        const end = completeEnd(all, from, to);
        expect(end).toBeGreaterThanOrEqual(Math.max(from, to - 3));
        expect(end).toBeLessThanOrEqual(to);
        // From any start the decoder is in its initial state at `end`: both sides decode apart.
        const whole = utf8.decode(all.subarray(from));
        expect(utf8.decode(all.subarray(from, end)) + utf8.decode(all.subarray(end))).toBe(whole);
      }),
      fuzzParams(3000),
    );
  });
});
