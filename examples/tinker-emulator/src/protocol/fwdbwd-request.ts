import { HttpError } from '../http-util.js';
import { DTYPE, DType, ForwardBackwardRequest, readPacked, toNumber, WIDTH } from './proto.js';

type Obj = Record<string, any>;

const DTYPE_LABEL: Record<number, 'float32' | 'int64'> = {
  [DTYPE.FLOAT32]: 'float32',
  [DTYPE.BFLOAT16]: 'float32',
  [DTYPE.INT64]: 'int64',
  [DTYPE.INT32]: 'int64',
};

const has = (message: Obj, field: string) => Object.prototype.hasOwnProperty.call(message, field);
const bad = (field: string, problem: string) => new HttpError(400, `${field} ${problem}`, field);

function packed(bytes: Uint8Array, dtype: number, field: string): number[] {
  if (bytes.byteLength % WIDTH[dtype] !== 0)
    throw bad(
      field,
      `has ${bytes.byteLength} bytes, not a multiple of ${WIDTH[dtype]} (${DType.valuesById[dtype]})`,
    );
  return readPacked(bytes, dtype);
}

/** A proto `Tensor` as the JSON protocol's TensorData (dense), and as logged (values decoded). */
function tensor(t: Obj, field: string): { json: Obj; logged: Obj } {
  const dtype: number = t.dtype ?? 0;
  if (!WIDTH[dtype])
    throw bad(`${field}.dtype`, `must be a known DType, got ${DType.valuesById[dtype] ?? dtype}`);
  const shape = (t.shape ?? []).map(toNumber) as number[];
  const size = shape.reduce((a, b) => a * b, 1);
  const logged: Obj = { dtype: DType.valuesById[dtype], shape };
  let data: number[];
  if (t.encoding === 'dense') {
    data = packed(t.dense, dtype, `${field}.dense`);
    logged.dense = data;
  } else if (t.encoding === 'sparse_csr') {
    const csr = t.sparse_csr as Obj;
    const values = packed(csr.values, dtype, `${field}.sparse_csr.values`);
    const crow = packed(csr.crow_indices, DTYPE.INT64, `${field}.sparse_csr.crow_indices`);
    const cols = packed(csr.col_indices, DTYPE.INT64, `${field}.sparse_csr.col_indices`);
    logged.sparse_csr = { values, crow_indices: crow, col_indices: cols };
    data = densify(values, crow, cols, shape, `${field}.sparse_csr`);
  } else {
    throw bad(field, 'has neither dense nor sparse_csr data');
  }
  if (shape.length > 0 && size !== data.length)
    throw bad(`${field}.shape`, `[${shape.join(', ')}] does not match ${data.length} values`);
  return { json: { data, dtype: DTYPE_LABEL[dtype], shape: shape.length ? shape : [data.length] }, logged };
}

/** CSR to dense, row-major; `shape` is the dense shape ([rows, cols], or [n] for one row). */
function densify(values: number[], crow: number[], cols: number[], shape: number[], field: string): number[] {
  if (shape.length === 0) throw bad(`${field}`, 'needs the dense shape');
  const rows = shape.length === 1 ? 1 : shape[0];
  const width = shape.length === 1 ? shape[0] : shape.slice(1).reduce((a, b) => a * b, 1);
  if (
    crow.length !== rows + 1 ||
    crow[0] !== 0 ||
    crow[rows] !== values.length ||
    cols.length !== values.length
  )
    throw bad(field, 'indices do not describe the values (crow_indices: rows + 1 entries from 0 to nnz)');
  const dense = new Array<number>(rows * width).fill(0);
  for (let r = 0; r < rows; r++) {
    for (let i = crow[r]; i < crow[r + 1]; i++) {
      if (!(cols[i] >= 0 && cols[i] < width))
        throw bad(`${field}.col_indices`, `has ${cols[i]} outside 0..${width - 1}`);
      dense[r * width + cols[i]] = values[i];
    }
  }
  return dense;
}

/** A proto `Chunk` as the JSON protocol's chunk, and as logged. */
function chunk(c: Obj, field: string): { json: Obj; logged: Obj } {
  if (c.chunk === 'encoded_text') {
    const tokens = packed(
      c.encoded_text.tokens ?? new Uint8Array(),
      DTYPE.INT32,
      `${field}.encoded_text.tokens`,
    );
    return { json: { tokens }, logged: { encoded_text: { tokens } } };
  }
  if (c.chunk === 'image') {
    const image: Obj = { data: Buffer.from(c.image.data).toString('base64'), format: c.image.format };
    if (has(c.image, 'expected_tokens')) image.expected_tokens = c.image.expected_tokens;
    return { json: { type: 'image', ...image }, logged: { image } };
  }
  if (c.chunk === 'dmel') {
    const dmel = { dmel: Buffer.from(c.dmel.dmel).toString('base64') };
    return { json: { type: 'dmel', ...dmel }, logged: { dmel } };
  }
  throw bad(field, 'is an empty Chunk');
}

/**
 * Decode a `tinker_public.ForwardBackwardRequest` body (tinker-wire-0.25.md §6) into the JSON protocol's
 * `forward_backward` body, which the training route runs, plus `forward_only`; and into a plain object
 * for the request log: the message's fields as sent (proto3 defaults absent), byte fields decoded to
 * numbers (tokens int32, tensors by dtype, CSR indices int64), image and dmel bytes as base64.
 */
export function decodeForwardBackwardRequest(bytes: Buffer): { body: Obj; logged: Obj } {
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
  try {
    return convert(message);
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    // The message named its model and seq_id: the server saw that seq_id, so it can be passed over.
    throw new HttpError(error.status, error.detail, error.field, {
      model_id: message.model_id,
      seq_id: message.seq_id,
    });
  }
}

function convert(message: Obj): { body: Obj; logged: Obj } {
  if (!message.loss_fn) throw bad('loss_fn', 'is required');
  const data = (message.data as Obj[]).map((datum, i) => {
    const chunks = (datum.model_input as Obj[]).map((c, j) => chunk(c, `data[${i}].model_input[${j}]`));
    const inputs = Object.entries(datum.loss_fn_inputs as Obj).map(
      ([name, t]) => [name, tensor(t as Obj, `data[${i}].loss_fn_inputs.${name}`)] as const,
    );
    return {
      json: {
        model_input: { chunks: chunks.map((c) => c.json) },
        loss_fn_inputs: Object.fromEntries(inputs.map(([n, t]) => [n, t.json])),
      },
      logged: {
        model_input: chunks.map((c) => c.logged),
        loss_fn_inputs: Object.fromEntries(inputs.map(([n, t]) => [n, t.logged])),
      },
    };
  });
  const config = { ...(message.loss_fn_config as Obj) };
  const logged: Obj = { model_id: message.model_id };
  if (has(message, 'seq_id')) logged.seq_id = message.seq_id;
  logged.data = data.map((d) => d.logged);
  logged.loss_fn = message.loss_fn;
  if (Object.keys(config).length > 0) logged.loss_fn_config = config;
  if (has(message, 'forward_only')) logged.forward_only = message.forward_only;
  return {
    body: {
      forward_backward_input: {
        data: data.map((d) => d.json),
        loss_fn: message.loss_fn,
        loss_fn_config: Object.keys(config).length ? config : null,
      },
      model_id: message.model_id,
      // proto3: seq_id 0 is "not set" (the SDK sends 0 for None).
      seq_id: message.seq_id || null,
      forward_only: message.forward_only === true,
    },
    logged,
  };
}
