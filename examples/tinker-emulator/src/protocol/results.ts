import type { ResultKind } from '../futures.js';
import { DTYPE, ForwardBackwardOutput, SampleResponse, StopReason, writePacked } from './proto.js';
import { encodeCommonForwardBackwardOutput } from './fwdbwd-output.js';
import { encodeCommonSampleResponse } from './sample-response.js';

type Obj = Record<string, any>;

/** How forward/backward results are laid out in protobuf (to exercise clients' decoders). */
export interface ProtobufResultLayout {
  /** `one`: a single ArrayRecord for all datums (the default); `per-datum`: one ArrayRecord each. */
  records: 'one' | 'per-datum';
  /** dtype of float outputs: float32 (default) or bfloat16 (clients widen it to float32). */
  float: 'float32' | 'bfloat16';
}

export const DEFAULT_LAYOUT: ProtobufResultLayout = { records: 'one', float: 'float32' };

/** The sentinel of empty top-k slots (tinker-wire-0.25.md §8). */
export const MASK_LOGPROB = -99999.0;

/**
 * The `topk_prompt_logprobs` each sample result was asked for, which is its protobuf `k` whatever its rows
 * hold: a one-token prompt's only row is empty (nothing precedes it), and a `k` read from the rows was 0,
 * which the official client reads as "top-k not requested" (None) while the JSON answer was `[null]`.
 */
const requestedTopk = new WeakMap<object, number>();
export function recordRequestedTopk(result: object, k: number): void {
  requestedTopk.set(result, k);
}

/** `SampleResponse` from the JSON result: NaN for missing prompt logprobs, sentinels for empty top-k slots. */
export function encodeSampleResponse(result: Obj): Buffer {
  return encodeCommonSampleResponse(result) ?? encodeSampleResponseMessage(result);
}

/** The same through protobufjs: any result (top-k prompt logprobs, token ids beyond int32). */
export function encodeSampleResponseMessage(result: Obj): Buffer {
  const message: Obj = {
    sequences: (result.sequences as Obj[]).map((s) => {
      const seq: Obj = { tokens: writePacked(s.tokens, DTYPE.INT32) };
      if (s.stop_reason === 'length') seq.stop_reason = StopReason.length;
      if (Array.isArray(s.logprobs)) seq.logprobs = writePacked(s.logprobs, DTYPE.FLOAT32);
      return seq;
    }),
  };
  if (typeof result.prompt_cache_hit_tokens === 'number' && result.prompt_cache_hit_tokens > 0)
    message.prompt_cache_hit_tokens = result.prompt_cache_hit_tokens;
  if (Array.isArray(result.prompt_logprobs)) {
    message.prompt_logprobs = writePacked(
      (result.prompt_logprobs as (number | null)[]).map((v) => v ?? Number.NaN),
      DTYPE.FLOAT32,
    );
  }
  const rows = result.topk_prompt_logprobs as ([number, number][] | null)[] | undefined;
  if (Array.isArray(rows) && rows.length > 0) {
    const k = Math.max(requestedTopk.get(result) ?? 0, ...rows.map((r) => r?.length ?? 0));
    if (k > 0) {
      const ids: number[] = [];
      const logprobs: number[] = [];
      for (const row of rows) {
        for (let j = 0; j < k; j++) {
          ids.push(row?.[j]?.[0] ?? 0);
          logprobs.push(row?.[j]?.[1] ?? MASK_LOGPROB);
        }
      }
      message.topk_prompt_logprobs = {
        token_ids: writePacked(ids, DTYPE.INT32),
        logprobs: writePacked(logprobs, DTYPE.FLOAT32),
        k,
        prompt_length: rows.length,
      };
    }
  }
  // The message is already in protobufjs's own shape (bytes as Buffers, enums as numbers), so it is
  // encoded as it is: `fromObject` would only copy it into a Message first.
  return asBuffer(SampleResponse.encode(message).finish());
}

/** One ArrayRecord holding the given datums' outputs (byte offsets into concatenated data). */
function arrayRecord(outputs: Obj[], layout: ProtobufResultLayout): Obj {
  const names = outputs.length ? Object.keys(outputs[0]) : [];
  const fields: Obj = {};
  for (const name of names) {
    const tensors = outputs.map((o) => o[name] as { data: number[]; dtype: string; shape?: number[] });
    const int = tensors[0].dtype === 'int64';
    const dtype = int ? DTYPE.INT64 : layout.float === 'bfloat16' ? DTYPE.BFLOAT16 : DTYPE.FLOAT32;
    const parts = tensors.map((t) => writePacked(t.data, dtype));
    const offsets = [0];
    for (const p of parts) offsets.push(offsets[offsets.length - 1] + p.length);
    const trailing = tensors[0].shape && tensors[0].shape.length > 1 ? tensors[0].shape.slice(1) : [];
    fields[name] = {
      data: Buffer.concat(parts),
      offsets: writePacked(offsets, DTYPE.INT64),
      dtype,
      trailing_shape: trailing,
    };
  }
  return { fields, num_datums: outputs.length };
}

/** `ForwardBackwardOutput` from the JSON result (`loss_fn_outputs` per datum, `metrics`). */
export function encodeForwardBackwardOutput(
  result: Obj,
  layout: ProtobufResultLayout = DEFAULT_LAYOUT,
): Buffer {
  return (
    encodeCommonForwardBackwardOutput(result, layout) ?? encodeForwardBackwardOutputMessage(result, layout)
  );
}

/** The same through protobufjs: any result (odd metric names or values, trailing dims beyond a varint's safe range). */
export function encodeForwardBackwardOutputMessage(
  result: Obj,
  layout: ProtobufResultLayout = DEFAULT_LAYOUT,
): Buffer {
  const outputs = result.loss_fn_outputs as Obj[];
  const records =
    layout.records === 'per-datum'
      ? outputs.map((o) => arrayRecord([o], layout))
      : outputs.length
        ? [arrayRecord(outputs, layout)]
        : [];
  const message = {
    loss_fn_output_type: 'ArrayRecord',
    loss_fn_outputs: records,
    metrics: { ...result.metrics },
  };
  // Already in protobufjs's shape (bytes as Buffers, enums and int64s as numbers): encoded as it is, as
  // SampleResponse is; `fromObject` would copy every record and tensor into a Message first.
  return asBuffer(ForwardBackwardOutput.encode(message).finish());
}

/** protobufjs's writer already returns a Buffer under Node; a copy only when it did not. */
const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** The protobuf form of a stored result, for polls that accept it. */
export function encodeResult(kind: ResultKind, result: unknown, layout: ProtobufResultLayout): Buffer {
  return kind === 'sample'
    ? encodeSampleResponse(result as Obj)
    : encodeForwardBackwardOutput(result as Obj, layout);
}
