import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeByteLevel } from '../support/byte-level.js';
import {
  BadRequestError,
  dmelChunk,
  ModelInput,
  NotFoundError,
  toSparseCsr,
  ValidationError,
} from '../../src/index.js';
import { DEFAULT_MODE, describeInModes, E2E_MODES, setup, TEXT, textDatum } from './harness.js';

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function trainingEnv(mode: (typeof E2E_MODES)[number] = DEFAULT_MODE) {
  const env = await setup({}, {}, mode);
  cleanup.push(env.close);
  const training = await env.service.createLoraTrainingClient({ base_model: 'tinkex/byte-tiny', rank: 4 });
  return { ...env, training };
}

describe('healthCheck', () => {
  it('answers { status: "ok" } from GET /api/v1/healthz without creating a session', async () => {
    const env = await setup();
    cleanup.push(env.close);
    expect(await env.service.healthCheck()).toEqual({ status: 'ok' });
    const paths = env.emulator.requestLog().map((r) => `${r.method} ${r.path}`);
    expect(paths).toContain('GET /api/v1/healthz');
    expect(paths.some((p) => p.includes('create_session'))).toBe(false);
  });
});

describe.each(E2E_MODES)('TrainingClient.unloadModel (%s)', (mode) => {
  it('unloads the model: the future resolves with its id, later requests for it are 404s', async () => {
    const { training } = await trainingEnv(mode);
    await training.forwardBackward([textDatum(TEXT)], 'cross_entropy');
    expect(await training.unloadModel()).toMatchObject({ model_id: training.model_id });
    await expect(training.getInfo()).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('encode / decode and ModelInput.fromText', () => {
  it('round-trip text with the model tokenizer on both clients, and build prompts from text', async () => {
    // A sampler finds its tokenizer by base model name: give `tinkex/byte-tiny` the byte-level files,
    // where a user would put them ($TINKEX_TOKENIZER_CACHE/<id>/).
    const cache = await mkdtemp(join(tmpdir(), 'tinkex-tokenizers-'));
    await writeByteLevel(join(cache, 'tinkex', 'byte-tiny'));
    const saved = process.env.TINKEX_TOKENIZER_CACHE;
    process.env.TINKEX_TOKENIZER_CACHE = cache;
    cleanup.push(async () => {
      if (saved === undefined) delete process.env.TINKEX_TOKENIZER_CACHE;
      else process.env.TINKEX_TOKENIZER_CACHE = saved;
      await rm(cache, { recursive: true, force: true });
    });
    const { service, training } = await trainingEnv();
    const tokens = await training.encode('fox');
    expect(await training.decode(tokens)).toBe('fox');
    const sampler = await service.createSamplingClient({ base_model: 'tinkex/byte-tiny' });
    expect(await sampler.encode('fox')).toEqual(tokens);
    expect(await sampler.decode(tokens)).toBe('fox');

    const tokenizer = await training.getTokenizer();
    const prompt = ModelInput.fromText(tokenizer, 'The quick');
    expect(prompt.toInts()).toEqual(await training.encode('The quick'));
    const response = await sampler.sample({ prompt, sampling_params: { max_tokens: 4, seed: 1 } });
    expect(response.sequences[0].tokens).toHaveLength(4);
  });

  it('rejects non-text input with a ValidationError before loading anything', async () => {
    const { training } = await trainingEnv();
    await expect(training.encode(42 as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(training.decode([1, -1])).rejects.toBeInstanceOf(ValidationError);
    expect(() => ModelInput.fromText({} as never, 'x')).toThrow(ValidationError);
  });
});

// Protobuf TensorData specifics: the JSON protocol has no sparse_csr or dmel wire form to check.
describeInModes(
  ['v025', 'v025-jwt-zstd'],
  'sparse CSR tensors and dmel chunks on the wire (0.25 protobuf)',
  () => {
    it('a sparse weights tensor arrives as sparse_csr and gives the same loss as its dense form', async () => {
      const { emulator, training } = await trainingEnv();
      const dense = textDatum(TEXT);
      const n = dense.loss_fn_inputs.weights.data.length;
      // Weigh only the second half of the targets.
      const weights = Array.from({ length: n }, (_, i) => (i >= n / 2 ? 1 : 0));
      const denseDatum = {
        ...dense,
        loss_fn_inputs: {
          ...dense.loss_fn_inputs,
          weights: { ...dense.loss_fn_inputs.weights, data: weights },
        },
      };
      const sparseDatum = {
        ...dense,
        loss_fn_inputs: { ...dense.loss_fn_inputs, weights: toSparseCsr(weights, 'float32') },
      };
      const fromDense = await training.forward([denseDatum], 'cross_entropy');
      const fromSparse = await training.forward([sparseDatum], 'cross_entropy');
      expect(fromSparse.metrics).toEqual(fromDense.metrics);
      const sent = emulator
        .requestLog()
        .filter((r) => r.path.startsWith('/api/v1/forward_backward'))
        .at(-1)!;
      const tensor = (sent.body as any).data[0].loss_fn_inputs.weights;
      expect(tensor.sparse_csr.col_indices).toEqual(weights.flatMap((w, i) => (w ? [i] : [])));
      expect(tensor.sparse_csr.crow_indices).toEqual([0, weights.filter(Boolean).length]);
      expect(tensor.shape).toEqual([n]);
    });

    it('a dmel chunk arrives as its TensorContainer bytes (the emulator then refuses audio training)', async () => {
      const { emulator, training } = await trainingEnv();
      // TensorContainer header: dtype byte 1, rank 2, dims [3, 80]; then a payload.
      const container = Uint8Array.from([1, 2, 3, 80, 9, 9, 9, 9]);
      const chunk = dmelChunk(container);
      expect(ModelInput.fromChunks([chunk]).length).toBe(3);
      // Per-token inputs cover the audio tokens too.
      const { model_input, loss_fn_inputs: inputs } = textDatum(TEXT);
      const pad = (t: { data: number[]; dtype: 'int64' | 'float32' }) => ({
        data: [...t.data, 0, 0, 0],
        dtype: t.dtype,
        shape: [t.data.length + 3],
      });
      const audio = {
        model_input: { chunks: [...model_input.chunks, chunk] },
        loss_fn_inputs: { target_tokens: pad(inputs.target_tokens), weights: pad(inputs.weights) },
      };
      const error = await training.forward([audio], 'cross_entropy').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BadRequestError);
      const sent = emulator
        .requestLog()
        .filter((r) => r.path.startsWith('/api/v1/forward_backward'))
        .at(-1)!;
      expect(JSON.stringify(sent.body)).toContain(Buffer.from(container).toString('base64'));
    });
  },
);

describe.each(E2E_MODES)('prompt_cache_hit_tokens (%s)', (mode) => {
  it('is 0 for a new prompt and the shared prefix length when a prompt repeats', async () => {
    const env = await setup({}, {}, mode);
    cleanup.push(env.close);
    const sampler = await env.service.createSamplingClient({ base_model: 'tinkex/byte-tiny' });
    const params = { max_tokens: 2, seed: 3 };
    const first = await sampler.sample({
      prompt: ModelInput.fromInts([70, 111, 120, 32]),
      sampling_params: params,
    });
    const second = await sampler.sample({
      prompt: ModelInput.fromInts([70, 111, 120, 33, 34]),
      sampling_params: params,
    });
    expect(first.prompt_cache_hit_tokens).toBe(0);
    expect(second.prompt_cache_hit_tokens).toBe(3);
  });
});
