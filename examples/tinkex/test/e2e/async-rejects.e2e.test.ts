import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  RestClient,
  SamplingClient,
  ServiceClient,
  TrainingClient,
  ValidationError,
  type RequestOptions,
} from '../../src/index.js';
import { bytes, setup, TEXT, textDatum } from './harness.js';

/**
 * A method that returns a promise (or an APIFuture, or whose result is awaited) reports bad input by
 * rejecting, never by throwing where it is called: `training.forwardBackward([])` inside a
 * `Promise.all`, or a `.catch()` chained on the call, must see the error. Each call below is made with
 * bad input and must not throw, reject with a ValidationError naming the field, and send nothing.
 */

const PATH = 'tinker://run-1/weights/w';
const BAD = { timeoutMs: -1 } as RequestOptions;
type Bad<T> = Record<string, [(client: T) => unknown, string]>;

/** Each public async method with bad RequestOptions (`timeoutMs: -1`). */
const badOptions = {
  service: {
    session: (c: ServiceClient) => c.session(BAD),
    getServerCapabilities: (c: ServiceClient) => c.getServerCapabilities(BAD),
    healthCheck: (c: ServiceClient) => c.healthCheck(BAD),
    createLoraTrainingClient: (c: ServiceClient) => c.createLoraTrainingClient({ base_model: 'x' }, BAD),
    createTrainingClientFromState: (c: ServiceClient) => c.createTrainingClientFromState(PATH, {}, BAD),
    createTrainingClientFromStateWithOptimizer: (c: ServiceClient) =>
      c.createTrainingClientFromStateWithOptimizer(PATH, {}, BAD),
    createSamplingClient: (c: ServiceClient) => c.createSamplingClient({ base_model: 'x' }, BAD),
  },
  rest: {
    getTrainingRun: (c: RestClient) => c.getTrainingRun('run-1', undefined, BAD),
    getTrainingRunByTinkerPath: (c: RestClient) => c.getTrainingRunByTinkerPath(PATH, undefined, BAD),
    getWeightsInfoByTinkerPath: (c: RestClient) => c.getWeightsInfoByTinkerPath(PATH, BAD),
    listTrainingRuns: (c: RestClient) => c.listTrainingRuns({}, BAD),
    iterateTrainingRuns: (c: RestClient) => c.iterateTrainingRuns({}, BAD).toArray(),
    listCheckpoints: (c: RestClient) => c.listCheckpoints('run-1', BAD),
    listUserCheckpoints: (c: RestClient) => c.listUserCheckpoints({}, BAD),
    iterateUserCheckpoints: (c: RestClient) => c.iterateUserCheckpoints({}, BAD).toArray(),
    getCheckpointArchiveUrl: (c: RestClient) => c.getCheckpointArchiveUrl('run-1', 'weights/w', BAD),
    getCheckpointArchiveUrlFromTinkerPath: (c: RestClient) =>
      c.getCheckpointArchiveUrlFromTinkerPath(PATH, BAD),
    deleteCheckpoint: (c: RestClient) => c.deleteCheckpoint('run-1', 'weights/w', BAD),
    deleteCheckpointFromTinkerPath: (c: RestClient) => c.deleteCheckpointFromTinkerPath(PATH, BAD),
    publishCheckpointFromTinkerPath: (c: RestClient) => c.publishCheckpointFromTinkerPath(PATH, BAD),
    unpublishCheckpointFromTinkerPath: (c: RestClient) => c.unpublishCheckpointFromTinkerPath(PATH, BAD),
    setCheckpointTtlFromTinkerPath: (c: RestClient) => c.setCheckpointTtlFromTinkerPath(PATH, 60, BAD),
    getSession: (c: RestClient) => c.getSession('sess-1', undefined, BAD),
    listSessions: (c: RestClient) => c.listSessions({}, BAD),
    iterateSessions: (c: RestClient) => c.iterateSessions({}, BAD).toArray(),
    getSampler: (c: RestClient) => c.getSampler('sampler-1', BAD),
    exportSessionTrace: (c: RestClient) => c.exportSessionTrace('sess-1', {}, BAD),
    getBillingUsage: (c: RestClient) =>
      c.getBillingUsage('2026-07-13T00:00:00Z', '2026-07-14T00:00:00Z', BAD),
    getAuditLog: (c: RestClient) => c.getAuditLog({}, BAD),
    assignSessionProject: (c: RestClient) => c.assignSessionProject('sess-1', 'proj-1', BAD),
    whoami: (c: RestClient) => c.whoami(BAD),
    openDownload: (c: RestClient) => c.openDownload('http://127.0.0.1:9/archive.tar', BAD),
  },
  training: {
    forward: (c: TrainingClient) => c.forward([textDatum(TEXT)], 'cross_entropy', null, BAD),
    forwardBackward: (c: TrainingClient) => c.forwardBackward([textDatum(TEXT)], 'cross_entropy', null, BAD),
    forwardBackwardCustom: (c: TrainingClient) =>
      c.forwardBackwardCustom([textDatum(TEXT)], () => ({ loss: 0, grads: [] }), BAD),
    optimStep: (c: TrainingClient) => c.optimStep({ learning_rate: 1e-4 }, BAD),
    saveState: (c: TrainingClient) => c.saveState('s', {}, BAD),
    loadState: (c: TrainingClient) => c.loadState(PATH, {}, BAD),
    loadStateWithOptimizer: (c: TrainingClient) => c.loadStateWithOptimizer(PATH, {}, BAD),
    saveWeightsForSampler: (c: TrainingClient) => c.saveWeightsForSampler('s', {}, BAD),
    saveWeightsAndGetSamplingClient: (c: TrainingClient) => c.saveWeightsAndGetSamplingClient(undefined, BAD),
    createSamplingClient: (c: TrainingClient) =>
      c.createSamplingClient('tinker://run-1/sampler_weights/s', undefined, BAD),
    getInfo: (c: TrainingClient) => c.getInfo(BAD),
    encode: (c: TrainingClient) => c.encode('fox', BAD),
    decode: (c: TrainingClient) => c.decode([102], BAD),
    unloadModel: (c: TrainingClient) => c.unloadModel(BAD),
  },
  sampling: {
    sample: (c: SamplingClient) =>
      c.sample({ prompt: bytes('fox'), sampling_params: { max_tokens: 2 } }, BAD),
    sampleStream: (c: SamplingClient) =>
      c.sampleStream({ prompt: bytes('fox'), sampling_params: { max_tokens: 2 } }, BAD).next(),
    computeLogprobs: (c: SamplingClient) => c.computeLogprobs(bytes('fox'), BAD),
    getBaseModel: (c: SamplingClient) => c.getBaseModel(BAD),
    encode: (c: SamplingClient) => c.encode('fox', BAD),
    decode: (c: SamplingClient) => c.decode([102], BAD),
  },
};

/** Bad arguments (not options), with the field the error must name. */
const badInput = {
  service: {
    'createLoraTrainingClient(no train_*)': [
      (c: ServiceClient) =>
        c.createLoraTrainingClient({
          base_model: 'x',
          train_mlp: false,
          train_attn: false,
          train_unembed: false,
        }),
      'train_mlp',
    ],
    'createTrainingClientFromState(bad path)': [
      (c: ServiceClient) => c.createTrainingClientFromState('not-a-path'),
      'tinker_path',
    ],
    'createTrainingClientFromState(empty token)': [
      (c: ServiceClient) => c.createTrainingClientFromState(PATH, { weights_access_token: '' }),
      'weights_access_token',
    ],
    'createSamplingClient(neither)': [(c: ServiceClient) => c.createSamplingClient({}), 'model_path'],
    'createSamplingClient(bad path)': [
      (c: ServiceClient) => c.createSamplingClient({ model_path: 'nope' }),
      'tinker_path',
    ],
  } as Bad<ServiceClient>,
  rest: {
    'getTrainingRunByTinkerPath(bad path)': [
      (c: RestClient) => c.getTrainingRunByTinkerPath('nope'),
      'tinker_path',
    ],
    'listTrainingRuns(limit -1)': [(c: RestClient) => c.listTrainingRuns({ limit: -1 }), 'limit'],
    'deleteCheckpointFromTinkerPath(bad path)': [
      (c: RestClient) => c.deleteCheckpointFromTinkerPath('nope'),
      'tinker_path',
    ],
    'setCheckpointTtlFromTinkerPath(bad ttl)': [
      (c: RestClient) => c.setCheckpointTtlFromTinkerPath(PATH, -5),
      'ttl_seconds',
    ],
  } as Bad<RestClient>,
  training: {
    'forward([])': [(c: TrainingClient) => c.forward([], 'cross_entropy'), 'data'],
    'forwardBackward([])': [(c: TrainingClient) => c.forwardBackward([], 'cross_entropy'), 'data'],
    'forwardBackward(bad loss_fn)': [
      (c: TrainingClient) => c.forwardBackward([textDatum(TEXT)], 'nope' as never),
      'loss_fn',
    ],
    'forwardBackwardCustom([])': [
      (c: TrainingClient) => c.forwardBackwardCustom([], () => ({ loss: 0, grads: [] })),
      'data',
    ],
    'optimStep(bad learning_rate)': [
      (c: TrainingClient) => c.optimStep({ learning_rate: 'fast' } as never),
      'learning_rate',
    ],
    'saveState("")': [(c: TrainingClient) => c.saveState(''), 'path'],
    'loadState(bad path)': [(c: TrainingClient) => c.loadState('nope'), 'tinker_path'],
    'loadStateWithOptimizer(bad path)': [
      (c: TrainingClient) => c.loadStateWithOptimizer('nope'),
      'tinker_path',
    ],
    'saveWeightsForSampler(bad ttl)': [
      (c: TrainingClient) => c.saveWeightsForSampler('s', { ttl_seconds: 0 }),
      'ttl_seconds',
    ],
    'createSamplingClient(bad path)': [(c: TrainingClient) => c.createSamplingClient('nope'), 'tinker_path'],
  } as Bad<TrainingClient>,
  sampling: {
    'sample(no prompt)': [(c: SamplingClient) => c.sample({} as never), 'prompt'],
    'sample(bad num_samples)': [
      (c: SamplingClient) => c.sample({ prompt: bytes('a'), num_samples: 0, sampling_params: {} }),
      'num_samples',
    ],
    'computeLogprobs(no prompt)': [(c: SamplingClient) => c.computeLogprobs(undefined as never), 'prompt'],
  } as Bad<SamplingClient>,
};

describe('public async methods reject, never throw, on bad input', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let clients: {
    service: ServiceClient;
    rest: RestClient;
    training: TrainingClient;
    sampling: SamplingClient;
  };
  beforeAll(async () => {
    env = await setup();
    const training = await env.service.createLoraTrainingClient({ base_model: 'tinkex/byte-tiny', rank: 8 });
    const sampling = await env.service.createSamplingClient({ base_model: 'tinkex/byte-tiny' });
    clients = { service: env.service, rest: env.service.createRestClient(), training, sampling };
  });
  afterAll(() => env.close());

  async function rejects(name: string, call: () => unknown, field: string) {
    let pending: unknown;
    let thrown: unknown;
    try {
      pending = call();
    } catch (error) {
      thrown = error;
    }
    expect([name, thrown]).toEqual([name, undefined]);
    const outcome = await Promise.resolve(pending).then(
      () => 'resolved',
      (error: unknown) => error,
    );
    expect([name, outcome]).toEqual([name, expect.any(ValidationError)]);
    const pointers = (outcome as ValidationError).issues.map((i) => i.pointer).join(' ');
    expect([name, pointers]).toEqual([name, expect.stringContaining(field)]);
  }

  it.each(['service', 'rest', 'training', 'sampling'] as const)(
    '%s: bad RequestOptions reject with a ValidationError naming timeoutMs',
    async (kind) => {
      const before = env.emulator.state.requests.length;
      for (const [method, call] of Object.entries(badOptions[kind]))
        await rejects(method, () => (call as (c: unknown) => unknown)(clients[kind]), 'timeoutMs');
      expect(env.emulator.state.requests.length).toBe(before);
    },
  );

  it.each(['service', 'rest', 'training', 'sampling'] as const)(
    '%s: bad arguments reject with a ValidationError naming the field',
    async (kind) => {
      const before = env.emulator.state.requests.length;
      for (const [name, [call, field]] of Object.entries(badInput[kind] as Bad<unknown>))
        await rejects(name, () => call(clients[kind]), field);
      expect(env.emulator.state.requests.length).toBe(before);
    },
  );
});
