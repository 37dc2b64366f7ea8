import { HttpError } from '../http-util.js';
import { densify } from './sparse-csr.js';
import { DTYPE, DType, fieldBytes, ForwardBackwardRequest, readPacked, toNumber, WIDTH } from './proto.js';

type Obj = Record<string, any>;

const DTYPE_LABEL: Record<number, 'float32' | 'int64'> = {
  [DTYPE.FLOAT32]: 'float32',
  [DTYPE.BFLOAT16]: 'float32',
  [DTYPE.INT64]: 'int64',
  [DTYPE.INT32]: 'int64',
};

const has = (message: Obj, field: string) => Object.prototype.hasOwnProperty.call(message, field);
const bad = (field: string, problem: string) => new HttpError(400, `${field} ${problem}`, field);

function packed(value: Uint8Array | readonly number[] | undefined, dtype: number, field: string): number[] {
  const bytes = fieldBytes(value);
  if (bytes.byteLength % WIDTH[dtype] !== 0)
    throw bad(
      field,
      `has ${bytes.byteLength} bytes, not a multiple of ${WIDTH[dtype]} (${DType.valuesById[dtype]})`,
    );
  return readPacked(bytes, dtype);
}

/** A proto `Tensor` as the JSON protocol's TensorData (dense); every check of the tensor is made here. */
function tensor(t: Obj, field: string): Obj {
  const dtype: number = t.dtype ?? 0;
  if (!WIDTH[dtype])
    throw bad(`${field}.dtype`, `must be a known DType, got ${DType.valuesById[dtype] ?? dtype}`);
  const shape = (t.shape ?? []).map(toNumber) as number[];
  const size = shape.reduce((a, b) => a * b, 1);
  let data: number[];
  if (t.encoding === 'dense') {
    data = packed(t.dense, dtype, `${field}.dense`);
  } else if (t.encoding === 'sparse_csr') {
    const csr = t.sparse_csr as Obj;
    const values = packed(csr.values, dtype, `${field}.sparse_csr.values`);
    const crow = packed(csr.crow_indices, DTYPE.INT64, `${field}.sparse_csr.crow_indices`);
    const cols = packed(csr.col_indices, DTYPE.INT64, `${field}.sparse_csr.col_indices`);
    data = densify(values, crow, cols, shape, `${field}.sparse_csr`);
  } else {
    throw bad(field, 'has neither dense nor sparse_csr data');
  }
  if (shape.length > 0 && size !== data.length)
    throw bad(`${field}.shape`, `[${shape.join(', ')}] does not match ${data.length} values`);
  return { data, dtype: DTYPE_LABEL[dtype], shape: shape.length ? shape : [data.length] };
}

/** A tensor `tensor()` accepted, as the request log shows it (values decoded). */
function loggedTensor(t: Obj): Obj {
  const dtype: number = t.dtype ?? 0;
  const logged: Obj = { dtype: DType.valuesById[dtype], shape: (t.shape ?? []).map(toNumber) };
  if (t.encoding === 'dense') {
    logged.dense = readPacked(t.dense, dtype);
  } else {
    const csr = t.sparse_csr as Obj;
    logged.sparse_csr = {
      values: readPacked(csr.values, dtype),
      crow_indices: readPacked(csr.crow_indices, DTYPE.INT64),
      col_indices: readPacked(csr.col_indices, DTYPE.INT64),
    };
  }
  return logged;
}

/** A proto `Chunk` as the JSON protocol's chunk. */
function chunk(c: Obj, field: string): Obj {
  if (c.chunk === 'encoded_text') {
    return { tokens: packed(c.encoded_text.tokens, DTYPE.INT32, `${field}.encoded_text.tokens`) };
  }
  if (c.chunk === 'image') return { type: 'image', ...image(c) };
  if (c.chunk === 'dmel') return { type: 'dmel', dmel: Buffer.from(c.dmel.dmel).toString('base64') };
  throw bad(field, 'is an empty Chunk');
}

function image(c: Obj): Obj {
  const out: Obj = { data: Buffer.from(c.image.data).toString('base64'), format: c.image.format };
  if (has(c.image, 'expected_tokens')) out.expected_tokens = c.image.expected_tokens;
  return out;
}

/** A chunk `chunk()` accepted, as the request log shows it. */
function loggedChunk(c: Obj): Obj {
  if (c.chunk === 'encoded_text')
    return { encoded_text: { tokens: readPacked(c.encoded_text.tokens, DTYPE.INT32) } };
  if (c.chunk === 'image') return { image: image(c) };
  return { dmel: { dmel: Buffer.from(c.dmel.dmel).toString('base64') } };
}

/** A decoded `forward_backward` body; `logged()` (the request log's form) is built on first call. */
export interface DecodedForwardBackward {
  body: Obj;
  logged: () => Obj;
}

/**
 * Decode a `tinker_public.ForwardBackwardRequest` body (tinker-wire-0.25.md §6) into the JSON protocol's
 * `forward_backward` body, which the training route runs, plus `forward_only`; and, only when the request
 * log is read, into a plain object: the message's fields as sent (proto3 defaults absent), byte fields
 * decoded to numbers (tokens int32, tensors by dtype, CSR indices int64), image and dmel bytes as base64.
 * (Built eagerly it cost every protobuf request a second copy of its values that nothing read.)
 */
export function decodeForwardBackwardRequest(bytes: Buffer): DecodedForwardBackward {
  let message: Obj;
  try {
    message = ForwardBackwardRequest.decode(bytes) as unknown as Obj;
  } catch (error) {
    throw new HttpError(
      400,
      `body is not a tinker_public.ForwardBackwardRequest: ${(error as Error).message}`,
    );
  }
  if (!message.model_id) throw bad('model_id', 'is required');
  let body: Obj;
  try {
    body = convert(message);
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    // The message named its model and seq_id: the server saw that seq_id, so it can be passed over.
    throw new HttpError(error.status, error.detail, error.field, {
      model_id: message.model_id,
      seq_id: message.seq_id,
    });
  }
  let logged: Obj | undefined;
  return { body, logged: () => (logged ??= loggedForm(message)) };
}

function convert(message: Obj): Obj {
  if (!message.loss_fn) throw bad('loss_fn', 'is required');
  const data = (message.data as Obj[]).map((datum, i) => ({
    model_input: {
      chunks: (datum.model_input as Obj[]).map((c, j) => chunk(c, `data[${i}].model_input[${j}]`)),
    },
    loss_fn_inputs: Object.fromEntries(
      Object.entries(datum.loss_fn_inputs as Obj).map(([name, t]) => [
        name,
        tensor(t as Obj, `data[${i}].loss_fn_inputs.${name}`),
      ]),
    ),
  }));
  const config = { ...(message.loss_fn_config as Obj) };
  return {
    forward_backward_input: {
      data,
      loss_fn: message.loss_fn,
      loss_fn_config: Object.keys(config).length ? config : null,
    },
    model_id: message.model_id,
    // proto3: seq_id 0 is "not set" (the SDK sends 0 for None).
    seq_id: message.seq_id || null,
    forward_only: message.forward_only === true,
  };
}

/** The request log's form of a message `convert` accepted. */
function loggedForm(message: Obj): Obj {
  const config = { ...(message.loss_fn_config as Obj) };
  const logged: Obj = { model_id: message.model_id };
  if (has(message, 'seq_id')) logged.seq_id = message.seq_id;
  logged.data = (message.data as Obj[]).map((datum) => ({
    model_input: (datum.model_input as Obj[]).map(loggedChunk),
    loss_fn_inputs: Object.fromEntries(
      Object.entries(datum.loss_fn_inputs as Obj).map(([name, t]) => [name, loggedTensor(t as Obj)]),
    ),
  }));
  logged.loss_fn = message.loss_fn;
  if (Object.keys(config).length > 0) logged.loss_fn_config = config;
  if (has(message, 'forward_only')) logged.forward_only = message.forward_only;
  return logged;
}
