import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  APIUserAbortError,
  RestClient,
  SamplingClient,
  ServiceClient,
  TrainingClient,
  type RequestOptions,
} from '../../src/index.js';
import { bytes, setup, TEXT, textDatum } from './harness.js';

/**
 * Every public method of the four clients that makes requests takes `RequestOptions` last. The tables
 * below are typed by the clients' method names: a new public method without an entry, or an entry whose
 * method does not accept the options, fails `npm run typecheck`; at run time each one is called with an
 * already-aborted signal and must reject with APIUserAbortError having sent nothing.
 */

type MethodsOf<T> = {
  [K in keyof T & string]: T[K] extends (...args: never[]) => unknown ? K : never;
}[keyof T & string];
type Calls<T, Excluded extends keyof T> = {
  [K in Exclude<MethodsOf<T>, Excluded>]: (client: T, options: RequestOptions) => unknown;
};

/**
 * Public methods that send nothing themselves (they build clients or views, read state or close).
 * `withOptions` is covered below: every method called through a view takes the view's options.
 */
const LOCAL = {
  service: [
    'withOptions',
    'queueWarnings',
    'createRestClient',
    'reportException',
    'close',
    'resolvedFuture',
    'activeTelemetry',
    'restTelemetry',
    // Sends nothing: waits for the work in flight, under its own bounds (IdleOptions).
    'idle',
  ] as const,
  rest: ['withOptions'] as const,
  training: ['withOptions'] as const,
  sampling: ['withOptions'] as const,
};

const PATH = 'tinker://run-1/weights/w';
const datum = () => [textDatum(TEXT)];

const serviceCalls: Calls<ServiceClient, (typeof LOCAL.service)[number]> = {
  session: (c, o) => c.session(o),
  getServerCapabilities: (c, o) => c.getServerCapabilities(o),
  healthCheck: (c, o) => c.healthCheck(o),
  createLoraTrainingClient: (c, o) => c.createLoraTrainingClient({ base_model: 'tinkex/byte-tiny' }, o),
  createTrainingClientFromState: (c, o) => c.createTrainingClientFromState(PATH, {}, o),
  createTrainingClientFromStateWithOptimizer: (c, o) =>
    c.createTrainingClientFromStateWithOptimizer(PATH, {}, o),
  createSamplingClient: (c, o) => c.createSamplingClient({ base_model: 'tinkex/byte-tiny' }, o),
};

const restCalls: Calls<RestClient, (typeof LOCAL.rest)[number]> = {
  getTrainingRun: (c, o) => c.getTrainingRun('run-1', undefined, o),
  getTrainingRunByTinkerPath: (c, o) => c.getTrainingRunByTinkerPath(PATH, undefined, o),
  getWeightsInfoByTinkerPath: (c, o) => c.getWeightsInfoByTinkerPath(PATH, o),
  listTrainingRuns: (c, o) => c.listTrainingRuns({}, o),
  iterateTrainingRuns: (c, o) => c.iterateTrainingRuns({}, o).toArray(),
  listCheckpoints: (c, o) => c.listCheckpoints('run-1', o),
  listUserCheckpoints: (c, o) => c.listUserCheckpoints({}, o),
  iterateUserCheckpoints: (c, o) => c.iterateUserCheckpoints({}, o).toArray(),
  getCheckpointArchiveUrl: (c, o) => c.getCheckpointArchiveUrl('run-1', 'weights/w', o),
  getCheckpointArchiveUrlFromTinkerPath: (c, o) => c.getCheckpointArchiveUrlFromTinkerPath(PATH, o),
  deleteCheckpoint: (c, o) => c.deleteCheckpoint('run-1', 'weights/w', o),
  deleteCheckpointFromTinkerPath: (c, o) => c.deleteCheckpointFromTinkerPath(PATH, o),
  publishCheckpointFromTinkerPath: (c, o) => c.publishCheckpointFromTinkerPath(PATH, o),
  unpublishCheckpointFromTinkerPath: (c, o) => c.unpublishCheckpointFromTinkerPath(PATH, o),
  setCheckpointTtlFromTinkerPath: (c, o) => c.setCheckpointTtlFromTinkerPath(PATH, 60, o),
  getSession: (c, o) => c.getSession('sess-1', undefined, o),
  listSessions: (c, o) => c.listSessions({}, o),
  iterateSessions: (c, o) => c.iterateSessions({}, o).toArray(),
  getSampler: (c, o) => c.getSampler('sampler-1', o),
  exportSessionTrace: (c, o) => c.exportSessionTrace('sess-1', {}, o),
  getBillingUsage: (c, o) => c.getBillingUsage('2026-07-13T00:00:00Z', '2026-07-14T00:00:00Z', o),
  getAuditLog: (c, o) => c.getAuditLog({}, o),
  assignSessionProject: (c, o) => c.assignSessionProject('sess-1', 'proj-1', o),
  whoami: (c, o) => c.whoami(o),
  openDownload: (c, o) => c.openDownload('http://127.0.0.1:9/archive.tar', o),
};

const trainingCalls: Calls<TrainingClient, (typeof LOCAL.training)[number]> = {
  forward: (c, o) => c.forward(datum(), 'cross_entropy', null, o),
  forwardBackward: (c, o) => c.forwardBackward(datum(), 'cross_entropy', null, o),
  forwardBackwardCustom: (c, o) => c.forwardBackwardCustom(datum(), () => ({ loss: 0, grads: [] }), o),
  optimStep: (c, o) => c.optimStep({ learning_rate: 1e-4 }, o),
  saveState: (c, o) => c.saveState('s', {}, o),
  loadState: (c, o) => c.loadState(PATH, {}, o),
  loadStateWithOptimizer: (c, o) => c.loadStateWithOptimizer(PATH, {}, o),
  saveWeightsForSampler: (c, o) => c.saveWeightsForSampler('s', {}, o),
  saveWeightsAndGetSamplingClient: (c, o) => c.saveWeightsAndGetSamplingClient(undefined, o),
  createSamplingClient: (c, o) => c.createSamplingClient('tinker://run-1/sampler_weights/s', undefined, o),
  getInfo: (c, o) => c.getInfo(o),
  getTokenizer: (c, o) => c.getTokenizer(o),
  encode: (c, o) => c.encode('fox', o),
  decode: (c, o) => c.decode([102, 111, 120], o),
  unloadModel: (c, o) => c.unloadModel(o),
};

const request = { prompt: bytes('fox'), sampling_params: { max_tokens: 2 } };
const samplingCalls: Calls<SamplingClient, (typeof LOCAL.sampling)[number]> = {
  sample: (c, o) => c.sample(request, o),
  sampleStream: async (c, o) => {
    for await (const chunk of c.sampleStream(request, o)) void chunk;
  },
  computeLogprobs: (c, o) => c.computeLogprobs(bytes('fox'), o),
  getBaseModel: (c, o) => c.getBaseModel(o),
  getTokenizer: (c, o) => c.getTokenizer(o),
  encode: (c, o) => c.encode('fox', o),
  decode: (c, o) => c.decode([102, 111, 120], o),
};

/** Public prototype methods (constructor, getters and `#private` ones aside). */
function publicMethods(prototype: object): string[] {
  return Object.getOwnPropertyNames(prototype).filter((name) => {
    const descriptor = Object.getOwnPropertyDescriptor(prototype, name)!;
    return name !== 'constructor' && typeof descriptor.value === 'function';
  });
}

describe('RequestOptions on every request method', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let training: TrainingClient;
  let sampling: SamplingClient;
  beforeAll(async () => {
    env = await setup();
    training = await env.service.createLoraTrainingClient({ base_model: 'tinkex/byte-tiny', rank: 8 });
    sampling = await env.service.createSamplingClient({ base_model: 'tinkex/byte-tiny' });
  });
  afterAll(() => env.close());

  const clients = () => ({
    service: { client: env.service, calls: serviceCalls, prototype: ServiceClient.prototype },
    rest: { client: env.service.createRestClient(), calls: restCalls, prototype: RestClient.prototype },
    training: { client: training, calls: trainingCalls, prototype: TrainingClient.prototype },
    sampling: { client: sampling, calls: samplingCalls, prototype: SamplingClient.prototype },
  });

  it.each(['service', 'rest', 'training', 'sampling'] as const)(
    '%s: every public method is either listed as local or covered below',
    (name) => {
      const { calls, prototype } = clients()[name];
      // TypeScript's `private` methods are on the prototype too: only the declared table is public.
      const covered = [...Object.keys(calls), ...LOCAL[name]];
      const publicNames = publicMethods(prototype).filter((m) => covered.includes(m) || !isPrivate(m));
      expect(publicNames.sort()).toEqual([...covered].sort());
    },
  );

  it.each(['service', 'rest', 'training', 'sampling'] as const)(
    '%s: an aborted signal rejects every request method with APIUserAbortError, sending nothing',
    async (name) => {
      const { client, calls } = clients()[name];
      const before = env.emulator.state.requests.length;
      for (const [method, call] of Object.entries(calls) as [
        string,
        (c: unknown, o: RequestOptions) => unknown,
      ][]) {
        const outcome = await Promise.resolve()
          .then(() => call(client, { signal: AbortSignal.abort() }))
          .then(
            () => 'resolved',
            (error: unknown) => error,
          );
        expect([method, outcome]).toEqual([method, expect.any(APIUserAbortError)]);
      }
      expect(env.emulator.state.requests.length).toBe(before);
    },
  );

  /** Each method's outcome, called through `view` with `options` of its own. */
  async function outcomes(calls: object, view: unknown, options: () => RequestOptions) {
    const seen: [string, unknown][] = [];
    for (const [method, call] of Object.entries(calls) as [
      string,
      (c: unknown, o: RequestOptions) => unknown,
    ][]) {
      const outcome = await Promise.resolve()
        .then(() => call(view, options()))
        .then(
          () => 'resolved',
          (error: unknown) => error,
        );
      seen.push([method, outcome]);
    }
    return seen;
  }

  it.each(['service', 'rest', 'training', 'sampling'] as const)(
    '%s: through a view whose default signal is aborted, every request method rejects with APIUserAbortError, sending nothing',
    async (name) => {
      const { client, calls } = clients()[name];
      const before = env.emulator.state.requests.length;
      const view = (client as { withOptions(o: RequestOptions): unknown }).withOptions({
        signal: AbortSignal.abort(),
      });
      // With no options of the call's own, and with a live signal of its own: the default still aborts.
      const seen = [
        ...(await outcomes(calls, view, () => ({}))),
        ...(await outcomes(calls, view, () => ({ signal: new AbortController().signal, timeoutMs: 60_000 }))),
      ];
      expect(seen).toEqual(seen.map(([method]) => [method, expect.any(APIUserAbortError)]));
      expect(env.emulator.state.requests.length).toBe(before);
    },
  );

  it.each(['service', 'rest', 'training', 'sampling'] as const)(
    '%s: through a view with a live default signal, a call’s own aborted signal still rejects it, sending nothing',
    async (name) => {
      const { client, calls } = clients()[name];
      const before = env.emulator.state.requests.length;
      const job = new AbortController();
      const view = (client as { withOptions(o: RequestOptions): unknown }).withOptions({
        signal: job.signal,
        timeoutMs: 60_000,
      });
      const seen = await outcomes(calls, view, () => ({ signal: AbortSignal.abort() }));
      expect(seen).toEqual(seen.map(([method]) => [method, expect.any(APIUserAbortError)]));
      expect(env.emulator.state.requests.length).toBe(before);
    },
  );
});

/** The private helpers of the four clients (TypeScript `private`: on the prototype, not in the API). */
const PRIVATE = new Set([
  'scope',
  'openedSession',
  'createLora',
  'fromState',
  'deleteAt',
  'newSamplingClient',
  'archiveUrl',
  'onCheckpoint',
  'download',
  'enqueue',
  'check',
  'reserve',
  'lossPass',
  'accessToken',
  'sampleWithin',
  'stuck',
  'run',
  'body',
  'checkBeforeSession',
  'withSignal',
]);
function isPrivate(method: string): boolean {
  return PRIVATE.has(method);
}
