import { inInt32Range, LITTLE_ENDIAN } from './proto.js';

type Obj = Record<string, any>;

/**
 * The `SampleResponse` of a sample result in one pass over a Buffer of its exact size, for the results a
 * fan-out polls: sequences (stop reason, int32 tokens, float32 logprobs), prompt logprobs and cached
 * tokens. `undefined` for anything else (top-k prompt logprobs, token ids beyond int32, a cached-token
 * count beyond it, a big-endian host): the protobufjs encode (results.ts) takes those.
 *
 * Why not protobufjs for these too: a fresh emulator runs its writer (a list of write operations per
 * message, a fork and a length per nested message, a small Buffer per packed field) through V8's
 * baseline code and then compiles all of it during the burst. Round 13 measured the 0.25 emulator's
 * helper threads (the compiler above all) 5–24 % busier than the JSON protocol's, which answers with the
 * native JSON.stringify. This is one function and three small helpers: in the 2,000-sample fan-out the
 * emulator's CPU per 0.25 sample went from 1.08× to 1.02× the JSON protocol's (helper threads 1.14× to
 * 1.08×; 16 interleaved rounds, docs/performance-notes.md round 14). The bytes are protobufjs's, field order
 * and presence rules included (a property test compares the two on any result).
 */
export function encodeCommonSampleResponse(result: Obj): Buffer | undefined {
  const rows = result.topk_prompt_logprobs;
  if (!LITTLE_ENDIAN || (Array.isArray(rows) && rows.length > 0)) return undefined;
  const sequences = result.sequences as Obj[];
  let size = 0;
  for (let i = 0; i < sequences.length; i++) {
    if (!inInt32Range(sequences[i].tokens)) return undefined;
    const body = sequenceSize(sequences[i]);
    size += 1 + varintSize(body) + body;
  }
  const prompt = Array.isArray(result.prompt_logprobs)
    ? (result.prompt_logprobs as (number | null)[])
    : undefined;
  if (prompt) size += field(prompt.length * 4);
  // As results.ts: only a positive count is set. protobufjs writes an int32 as `value | 0`, a varint when
  // that is ≥ 0 (a count of 2^31 or more wraps negative: ten bytes, left to protobufjs).
  const hit = result.prompt_cache_hit_tokens;
  const cached = typeof hit === 'number' && hit > 0;
  if (cached && (hit | 0) < 0) return undefined;
  if (cached) size += 1 + varintSize(hit | 0);

  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (let i = 0; i < sequences.length; i++) {
    const s = sequences[i];
    out[at++] = 0x0a; // sequences = 1, length-delimited
    at = varint(out, at, sequenceSize(s));
    if (s.stop_reason === 'length') {
      out[at++] = 0x08; // stop_reason = 1: StopReason.length
      out[at++] = 1;
    }
    // tokens = 2: proto3 `bytes`, left out when empty (protobufjs's presence rule)
    if (s.tokens.length > 0) {
      out[at++] = 0x12;
      at = packed(out, at, s.tokens, INT32);
    }
    if (Array.isArray(s.logprobs)) {
      out[at++] = 0x1a; // logprobs = 3
      at = packed(out, at, s.logprobs, FLOAT32);
    }
  }
  if (prompt) {
    out[at++] = 0x12; // prompt_logprobs = 2, NaN where the prompt has none
    at = packed(out, at, prompt, NAN_FOR_NULL);
  }
  if (cached) {
    out[at++] = 0x20; // prompt_cache_hit_tokens = 4, varint
    at = varint(out, at, hit | 0);
  }
  return out;
}

function sequenceSize(s: Obj): number {
  return (
    (s.stop_reason === 'length' ? 2 : 0) +
    (s.tokens.length > 0 ? field(s.tokens.length * 4) : 0) +
    (Array.isArray(s.logprobs) ? field(s.logprobs.length * 4) : 0)
  );
}

/** A length-delimited field of `bytes` bytes: tag, length, bytes. */
const field = (bytes: number): number => 1 + varintSize(bytes) + bytes;

function varintSize(value: number): number {
  let size = 1;
  while (value > 127) {
    value >>>= 7;
    size++;
  }
  return size;
}

function varint(out: Buffer, at: number, value: number): number {
  while (value > 127) {
    out[at++] = (value & 127) | 128;
    value >>>= 7;
  }
  out[at++] = value;
  return at;
}

const INT32 = 0;
const FLOAT32 = 1;
/** float32, a missing (null) prompt logprob as NaN, as results.ts maps them. */
const NAN_FOR_NULL = 2;

/**
 * The length and little-endian values of a packed field, through a scratch typed array (the conversion
 * `writeFloatLE` / `writeInt32LE` make, in one builtin call, as `writePacked` does) copied into place: no
 * Buffer per field.
 */
function packed(out: Buffer, at: number, values: ArrayLike<number | null>, kind: number): number {
  const n = values.length;
  at = varint(out, at, n * 4);
  if (n * 4 > scratch.length) grow(n * 4);
  if (kind === NAN_FOR_NULL) for (let i = 0; i < n; i++) floats[i] = values[i] ?? Number.NaN;
  else (kind === FLOAT32 ? floats : ints).set(values as ArrayLike<number>);
  scratch.copy(out, at, 0, n * 4);
  return at + n * 4;
}

let scratch = Buffer.allocUnsafeSlow(256);
let floats = new Float32Array(scratch.buffer, scratch.byteOffset, 64);
let ints = new Int32Array(scratch.buffer, scratch.byteOffset, 64);

function grow(bytes: number): void {
  scratch = Buffer.allocUnsafeSlow(Math.max(bytes, scratch.length * 2));
  floats = new Float32Array(scratch.buffer, scratch.byteOffset, scratch.length / 4);
  ints = new Int32Array(scratch.buffer, scratch.byteOffset, scratch.length / 4);
}
