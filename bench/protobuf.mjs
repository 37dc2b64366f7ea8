// A 1,024-datum forward_backward request and its result, protobuf (0.25) vs JSON (0.7.0–0.24.1): encode,
// decode and bytes on the wire (plus zstd, as the `proto_compress_fwdbwd` flag sends it).
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { ZlibCompression } from '../packages/kernel/dist/index.js';
import {
  ForwardBackwardOutputSchema,
  ForwardBackwardRequestSchema,
  DType,
} from '../examples/tinkex/dist/modules/proto/gen/tinker_public_pb.js';
import { forwardBackwardRequest } from '../examples/tinkex/dist/modules/proto/forward-backward-request.js';
import { encodeForwardBackwardRequest } from '../examples/tinkex/dist/modules/proto/forward-backward-writer.js';
import { forwardBackwardOutputFromProto } from '../examples/tinkex/dist/modules/proto/forward-backward-output.js';
import { readForwardBackwardOutput } from '../examples/tinkex/dist/modules/proto/forward-backward-output-reader.js';
import { packFloat32, packInt64 } from '../examples/tinkex/dist/modules/proto/packed.js';
import { compareJobs } from './lib.mjs';

const DATUMS = 1024;
const TOKENS = 128;

function data() {
  return Array.from({ length: DATUMS }, (_, d) => {
    const tokens = Array.from({ length: TOKENS }, (_, i) => (d * 31 + i * 7) % 50_000);
    return {
      model_input: { chunks: [{ tokens }] },
      loss_fn_inputs: {
        target_tokens: { data: tokens.map((t) => (t + 1) % 50_000), dtype: 'int64', shape: [TOKENS] },
        weights: { data: tokens.map((_, i) => (i === 0 ? 0 : 1)), dtype: 'float32', shape: [TOKENS] },
      },
    };
  });
}

function jsonResult() {
  const values = (d) => Array.from({ length: TOKENS }, (_, i) => Math.fround(-((d + i) % 97) / 13));
  return {
    loss_fn_output_type: 'ArrayRecord',
    loss_fn_outputs: Array.from({ length: DATUMS }, (_, d) => ({
      logprobs: { data: values(d), dtype: 'float32', shape: [TOKENS] },
      elementwise_loss: { data: values(d + 1), dtype: 'float32', shape: [TOKENS] },
    })),
    metrics: { 'loss:sum': 1234.5 },
  };
}

function protoResult(json) {
  const field = (name) => {
    const parts = json.loss_fn_outputs.map((o) => packFloat32(o[name].data));
    const offsets = [0];
    for (const p of parts) offsets.push(offsets.at(-1) + p.byteLength);
    return { data: Buffer.concat(parts), offsets: packInt64(offsets), dtype: DType.DTYPE_FLOAT32 };
  };
  return create(ForwardBackwardOutputSchema, {
    lossFnOutputType: 'ArrayRecord',
    lossFnOutputs: [
      {
        numDatums: BigInt(DATUMS),
        fields: { logprobs: field('logprobs'), elementwise_loss: field('elementwise_loss') },
      },
    ],
    metrics: json.metrics,
  });
}

export async function protobufVsJson() {
  const batch = data();
  const call = {
    model_id: 'S:train:0',
    seq_id: 1,
    data: batch,
    loss_fn: 'cross_entropy',
    forward_only: false,
  };
  const jsonBody = () =>
    JSON.stringify({
      model_id: 'S:train:0',
      seq_id: 1,
      forward_backward_input: { data: batch, loss_fn: 'cross_entropy', loss_fn_config: null },
    });
  // What Tinkex sends: the BinaryWriter path (the reflective create + toBinary is kept for reference).
  const protoBody = () => encodeForwardBackwardRequest(call);
  const protoReflective = () => toBinary(ForwardBackwardRequestSchema, forwardBackwardRequest(call));
  const jsonText = jsonBody();
  const protoBytes = protoBody();
  const zstd = (await new ZlibCompression().compress(protoBytes, 'zstd')).body;
  const result = jsonResult();
  const resultJson = Buffer.from(JSON.stringify(result));
  const resultProto = toBinary(ForwardBackwardOutputSchema, protoResult(result));
  const times = await compareJobs({
    request_encode_json: () => jsonBody(),
    request_encode_protobuf: () => protoBody(),
    request_encode_protobuf_reflective: () => protoReflective(),
    result_decode_json: () => JSON.parse(resultJson.toString('utf8')),
    // What Tinkex does: the BinaryReader path (reflective fromBinary + conversion kept for reference).
    result_decode_protobuf: () => readForwardBackwardOutput(resultProto).value,
    result_decode_protobuf_reflective: () =>
      forwardBackwardOutputFromProto(fromBinary(ForwardBackwardOutputSchema, resultProto)),
  });
  return {
    datums: DATUMS,
    tokens_per_datum: TOKENS,
    request_bytes: {
      json: Buffer.byteLength(jsonText),
      protobuf: protoBytes.byteLength,
      protobuf_zstd: zstd.byteLength,
    },
    result_bytes: { json: resultJson.byteLength, protobuf: resultProto.byteLength },
    ms: times,
  };
}

if (import.meta.url === `file://${process.argv[1]}`)
  console.log(JSON.stringify(await protobufVsJson(), null, 2));
