import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ValidationError } from 'pristine-kernel';
import {
  anyValue,
  badNumber,
  callTyped,
  FUZZ_TIMEOUT_MS,
  fuzzParams,
  settleTyped,
  trickyString,
} from '../../../../test/support/fuzz.js';
import { ServiceClient, type SamplingClient, type TrainingClient, type RestClient } from '../../src/index.js';
import { setup, textDatum } from '../e2e/harness.js';

/**
 * The Tinkex client API on generated bad input, against the emulator on loopback: ServiceClient options,
 * training (`forward`, `forwardBackward`, `optimStep`, `saveState`, `loadState`), sampling, the REST
 * client and tinker paths. Each call returns or fails with a PristineError within a deadline; when it
 * fails validation, the emulator saw no request.
 */
let env: Awaited<ReturnType<typeof setup>>;
let training: TrainingClient;
let sampling: SamplingClient;
let rest: RestClient;

/** Requests the emulator handled, minus the background ones (heartbeats, telemetry). */
const requestCount = () =>
  env.emulator.state.requests.filter((r) => !/heartbeat|telemetry/.test(r.path)).length;

beforeAll(async () => {
  env = await setup();
  training = await newTrainingClient();
  sampling = await env.service.createSamplingClient({ base_model: 'meta-llama/Llama-3.2-1B' });
  rest = env.service.createRestClient();
}, 60_000);

afterAll(async () => {
  await env.close();
});

/** Call, and check the contract: typed outcome, and nothing sent when validation refused the input. */
async function typedAndUnsentIfRefused(run: () => unknown): Promise<'refused' | 'other'> {
  const before = requestCount();
  const outcome = await settleTyped(async () => {
    const value = run();
    // Futures and promises are awaited: their failures must be typed too.
    return value && typeof (value as PromiseLike<unknown>).then === 'function' ? await value : value;
  });
  if (!outcome.ok && outcome.error instanceof ValidationError) {
    expect(requestCount()).toBe(before);
    return 'refused';
  }
  return 'other';
}

const newTrainingClient = () =>
  env.service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 4 });

const tokens = fc.array(fc.oneof(fc.nat(255), badNumber()), { minLength: 0, maxLength: 6 });
const tensor = fc.oneof(
  fc.record(
    {
      data: fc.array(fc.oneof(fc.nat(3), badNumber()), { maxLength: 6 }),
      dtype: fc.oneof(fc.constantFrom('int64', 'float32'), anyValue()),
      shape: fc.oneof(fc.constant(undefined), fc.array(fc.oneof(fc.nat(6), badNumber()), { maxLength: 2 })),
    },
    { requiredKeys: [] },
  ),
  anyValue(),
);
const datum = fc.oneof(
  fc.constant(textDatum('hello fuzz')),
  fc.record({
    model_input: fc.oneof(
      tokens.map((t) => ({ chunks: [{ tokens: t }] })),
      anyValue(),
    ),
    loss_fn_inputs: fc.oneof(
      fc.record({ target_tokens: tensor, weights: tensor }, { requiredKeys: [] }),
      anyValue(),
    ),
  }),
  anyValue(),
);
const data = fc.oneof(fc.array(datum, { minLength: 0, maxLength: 2 }), anyValue());
const lossFn = fc.oneof(
  fc.constantFrom('cross_entropy', 'importance_sampling', 'ppo'),
  trickyString(),
  anyValue(),
);
const lossConfig = fc.oneof(
  fc.constant(undefined),
  fc.dictionary(fc.string(), fc.oneof(fc.double(), anyValue()), { maxKeys: 2 }),
  anyValue(),
);
const numberish = fc.oneof(fc.nat(5), badNumber(), anyValue(), fc.constant(undefined));
/**
 * Counts (samples, tokens) without the huge valid ones: 2^31 samples is a valid request for a lot of
 * work, which the in-process emulator would do on the test's own event loop.
 */
const count = numberish.filter((v) => !(typeof v === 'number' && Number.isSafeInteger(v) && v > 64));
const tinkerPath = fc.oneof(
  fc
    .tuple(
      fc.oneof(trickyString(), fc.constant('run')),
      fc.constantFrom('weights', 'sampler_weights'),
      fc.oneof(trickyString(), fc.constant('ck')),
    )
    .map((p) => `tinker://${p.join('/')}`),
  trickyString(),
  anyValue(),
);

describe('Tinkex clients answer bad input with typed errors and send nothing they refused (property-based)', () => {
  it(
    'ServiceClient options',
    async () => {
      const option = (valid: fc.Arbitrary<unknown>) =>
        fc.oneof(valid, anyValue(), badNumber(), trickyString(), fc.constant(undefined));
      const options = fc.oneof(
        fc.record(
          {
            api_key: option(fc.constantFrom('tml-ok-key', 'tml-key…', 'tml-a\r\nb')),
            base_url: option(fc.constant(env.emulator.url)),
            timeout_ms: option(fc.constant(10_000)),
            max_retries: option(fc.nat(3)),
            tags: option(fc.array(fc.string(), { maxLength: 2 })),
            user_metadata: option(fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 })),
            project_id: option(fc.string()),
            default_headers: option(
              fc.dictionary(
                fc.oneof(fc.constant('X-Ok'), trickyString()),
                fc.oneof(fc.constant('v'), trickyString()),
                { maxKeys: 2 },
              ),
            ),
            telemetry: option(fc.constant(false)),
            log_level: option(fc.constantFrom('off', 'debug')),
            heartbeat_interval_ms: option(fc.constant(10_000)),
            sample_dispatch_concurrency: option(fc.nat(400)),
            env: fc.oneof(
              fc.constant({}),
              fc.record(
                {
                  TINKER_API_KEY: trickyString(),
                  TINKER_BASE_URL: trickyString(),
                  CLOUDFLARE_ACCESS_CLIENT_ID: trickyString(),
                },
                { requiredKeys: [] },
              ),
              anyValue(),
            ),
          },
          { requiredKeys: [] },
        ),
        anyValue(),
      );
      await fc.assert(
        fc.asyncProperty(options, async (o) => {
          const made = callTyped(() => new ServiceClient(o as never));
          if (!made.ok) {
            expect(made.error).toBeInstanceOf(ValidationError);
            return;
          }
          const client = made.value as ServiceClient;
          const { config } = client;
          expect(Number.isInteger(config.max_retries) && config.max_retries >= 0).toBe(true);
          expect(config.timeout_ms > 0 && config.heartbeat_interval_ms >= 1_000).toBe(true);
          await client.close();
        }),
        fuzzParams(300),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'training: forward, forwardBackward, optimStep, saveState, loadState',
    async () => {
      const seen = { refused: 0, other: 0 };
      await fc.assert(
        fc.asyncProperty(
          data,
          lossFn,
          lossConfig,
          anyValue(),
          tinkerPath,
          numberish,
          async (d, loss, config, adam, path, ttl) => {
            const calls = [
              (t: TrainingClient) => t.forward(d as never, loss as never, config as never),
              (t: TrainingClient) => t.forwardBackward(d as never, loss as never, config as never),
              (t: TrainingClient) => t.optimStep(adam as never),
              (t: TrainingClient) => t.saveState(path as never, { ttl_seconds: ttl as never }),
              (t: TrainingClient) => t.loadState(path as never),
            ];
            for (const call of calls) seen[await typedAndUnsentIfRefused(() => call(training))]++;
          },
        ),
        fuzzParams(40),
      );
      expect(seen.refused).toBeGreaterThan(0);
      expect(seen.other).toBeGreaterThan(0);
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'sampling: sample, computeLogprobs',
    async () => {
      const seen = { refused: 0, other: 0 };
      const params = fc.oneof(
        fc.record(
          {
            max_tokens: count,
            temperature: numberish,
            top_p: numberish,
            top_k: numberish,
            seed: numberish,
            stop: fc.oneof(fc.string(), anyValue()),
          },
          { requiredKeys: [] },
        ),
        anyValue(),
      );
      const prompt = fc.oneof(
        tokens,
        tokens.map((t) => ({ chunks: [{ tokens: t }] })),
        anyValue(),
      );
      await fc.assert(
        fc.asyncProperty(prompt, params, count, anyValue(), async (p, sp, n, extra) => {
          const sampled = await typedAndUnsentIfRefused(() =>
            sampling.sample({
              prompt: p as never,
              sampling_params: sp as never,
              num_samples: n as never,
              include_prompt_logprobs: extra as never,
            }),
          );
          seen[sampled]++;
          seen[await typedAndUnsentIfRefused(() => sampling.computeLogprobs(p as never))]++;
        }),
        fuzzParams(60),
      );
      // Not vacuous: some calls are refused, others reach the emulator.
      expect(seen.refused).toBeGreaterThan(0);
      expect(seen.other).toBeGreaterThan(0);
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'REST client and tinker paths',
    async () => {
      const seen = { refused: 0, other: 0 };
      const scope = fc.oneof(fc.constantFrom('owned', 'accessible', undefined), anyValue());
      const opts = fc.oneof(
        fc.record(
          { limit: numberish, offset: numberish, access_scope: scope, page_size: numberish },
          { requiredKeys: [] },
        ),
        anyValue(),
      );
      await fc.assert(
        fc.asyncProperty(
          tinkerPath,
          fc.oneof(trickyString(), anyValue()),
          scope,
          opts,
          async (path, id, s, o) => {
            const calls: (() => unknown)[] = [
              () => rest.getTrainingRun(id as never, s as never),
              () => rest.getTrainingRunByTinkerPath(path as never, s as never),
              () => rest.getWeightsInfoByTinkerPath(path as never),
              () => rest.deleteCheckpointFromTinkerPath(path as never),
              () => rest.publishCheckpointFromTinkerPath(path as never),
              () => rest.setCheckpointTtlFromTinkerPath(path as never, o as never),
              () => rest.getCheckpointArchiveUrlFromTinkerPath(path as never, o as never),
              () => rest.listTrainingRuns(o as never),
              () => rest.listCheckpoints(id as never),
              () => rest.listUserCheckpoints(o as never),
              () => rest.getSession(id as never, s as never),
              () => rest.getSampler(id as never),
              () => env.service.createSamplingClient(o as never),
              () => env.service.createSamplingClient({ model_path: path as never }),
              () => env.service.createTrainingClientFromState(path as never),
            ];
            for (const call of calls) seen[await typedAndUnsentIfRefused(call)]++;
            // Iterators: the first page is enough to meet any validation.
            for (const iterate of [
              () => rest.iterateTrainingRuns(o as never),
              () => rest.iterateUserCheckpoints(o as never),
              () => rest.iterateSessions(o as never),
            ]) {
              await typedAndUnsentIfRefused(async () => {
                for await (const item of iterate()) return item;
              });
            }
          },
        ),
        fuzzParams(60),
      );
      // Not vacuous: some calls are refused, others reach the emulator.
      expect(seen.refused).toBeGreaterThan(0);
      expect(seen.other).toBeGreaterThan(0);
    },
    FUZZ_TIMEOUT_MS,
  );
});
