import { init, compress } from '@bokuweb/zstd-wasm';
import { ForwardBackwardOutput, ForwardBackwardRequest, SampleResponse } from '../../src/protocol/proto.js';
import { bytes } from './text-datum.js';

/** Little-endian packed bytes (test fixtures; the emulator reads them with DataView). */
export const int32s = (values: number[]) => Buffer.from(new Int32Array(values).buffer);
export const int64s = (values: number[]) => Buffer.from(new BigInt64Array(values.map(BigInt)).buffer);
export const float32s = (values: number[]) => Buffer.from(new Float32Array(values).buffer);

/** A cross_entropy datum over `text` as a proto `Datum` object (protobufjs fromObject form). */
export function protoDatum(text: string) {
  const b = bytes(text);
  const tokens = b.slice(0, -1);
  const targets = b.slice(1);
  return {
    model_input: [{ encoded_text: { tokens: int32s(tokens) } }],
    loss_fn_inputs: {
      target_tokens: { dense: int64s(targets), dtype: 2, shape: [targets.length] },
      weights: { dense: float32s(targets.map(() => 1)), dtype: 1, shape: [targets.length] },
    },
  };
}

/** A serialized ForwardBackwardRequest, encoded by protobufjs. */
export function fwdBwdRequest(fields: Record<string, unknown>): Buffer {
  return Buffer.from(ForwardBackwardRequest.encode(ForwardBackwardRequest.fromObject(fields)).finish());
}

export const decodeFwdBwdOutput = (bytes: Uint8Array) =>
  ForwardBackwardOutput.toObject(ForwardBackwardOutput.decode(bytes), {
    longs: Number,
    enums: String,
  }) as any;
export const decodeSampleResponse = (bytes: Uint8Array) =>
  SampleResponse.toObject(SampleResponse.decode(bytes), { longs: Number, enums: String }) as any;

/** zstd-compress with the reference C library (compiled to WASM), as a real client does. */
let ready: Promise<void> | undefined;
export async function zstd(data: Buffer): Promise<Buffer> {
  // Initialise the WASM module once: a second init() swaps the module under earlier results.
  await (ready ??= init());
  return Buffer.from(compress(data, 3));
}

/** POST raw bytes with the headers a 0.25.0 client sends on forward_backward. */
export async function postProto(url: string, key: string, body: Buffer, encoding?: string) {
  const res = await fetch(`${url}/api/v1/forward_backward`, {
    method: 'POST',
    headers: {
      'x-api-key': key,
      'content-type': 'application/x-protobuf',
      ...(encoding ? { 'content-encoding': encoding } : {}),
    },
    body: new Uint8Array(body),
  });
  return { status: res.status, body: await res.json() };
}

/** Poll a future until it settles, with the given Accept; returns status, content type and bytes. */
export async function pollRaw(url: string, key: string, requestId: string, accept: string) {
  for (let i = 0; i < 1000; i++) {
    const res = await fetch(`${url}/api/v1/retrieve_future`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json', accept },
      body: JSON.stringify({ request_id: requestId, allow_metadata_only: true }),
    });
    const type = res.headers.get('content-type') ?? '';
    const data = Buffer.from(await res.arrayBuffer());
    if (type.includes('json') && JSON.parse(data.toString()).type === 'try_again') continue;
    return { status: res.status, type, data };
  }
  throw new Error('future never settled');
}
