import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ModelInput, ServiceClient, ValidationError, type TrainingClient } from '../../src/index.js';
import { withRegularizers } from '../../src/regularizers/index.js';
import { API_KEY, callsTo, describeInModes, E2E_MODES, MODE_PROTOCOL, setup } from './harness.js';

/**
 * Found by hand, writing training loops the way the docs and the Python SDK's README do. Each datum is
 * a literal whose `model_input` is a `ModelInput` (Python: `Datum(model_input=ModelInput.from_ints(…))`):
 * the SDK sent it fine, but the declared type refused it (readonly chunks), so `tsc --strict` failed on
 * the canonical loop. This file is type-checked by `npm run typecheck`.
 */
describe.each(E2E_MODES)('a datum literal holding a ModelInput (%s)', (mode) => {
  let env: Awaited<ReturnType<typeof setup>>;
  let training: TrainingClient;

  beforeAll(async () => {
    env = await setup({}, {}, mode);
    training = await env.service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 8 });
  });
  afterAll(() => env.close());

  const tokens = [72, 101, 108, 108, 111] as const;
  const data = [
    {
      model_input: ModelInput.fromInts(tokens.slice(0, -1)),
      loss_fn_inputs: {
        target_tokens: { data: tokens.slice(1), dtype: 'int64' as const },
        weights: { data: [1, 1, 1, 1], dtype: 'float32' as const },
      },
    },
  ];

  it('type-checks and trains in forward, forwardBackward and forwardBackwardCustom', async () => {
    const forward = await training.forward(data, 'cross_entropy');
    const step = await training.forwardBackward(data, 'cross_entropy');
    const custom = await training.forwardBackwardCustom(data, (_data, logprobs) => ({
      loss: 0,
      grads: logprobs.map((row) => row.map(() => 0)),
    }));
    expect(forward.loss_fn_outputs).toHaveLength(1);
    expect(step.metrics['loss:sum']).toBeCloseTo(forward.metrics['loss:sum']!, 6);
    expect(custom.loss_fn_outputs).toHaveLength(1);
  });

  // Under noUncheckedIndexedAccess a `Record<string, number>` read is `number | undefined`: the metrics
  // forwardBackwardCustom always returns are typed as present (the SDK sets `custom_loss:sum`, a
  // withRegularizers loss `loss_total` and `regularizer_total`), so the guide's code needs no `!`.
  it("types forwardBackwardCustom's metrics: custom_loss:sum, and what its loss always returns", async () => {
    const zeros = (logprobs: number[][]) => logprobs.map((row) => row.map(() => 0));
    const plain = await training.forwardBackwardCustom(data, (_data, logprobs) => ({
      loss: 0,
      grads: zeros(logprobs),
    }));
    const base = (_data: unknown, logprobs: number[][]) => ({ loss: 1, grads: zeros(logprobs) });
    const regularized = await training.forwardBackwardCustom(data, withRegularizers(base, {}));
    const sum: { 'custom_loss:sum': number } = plain.metrics;
    const totals: { loss_total: number; regularizer_total: number; 'custom_loss:sum': number } =
      regularized.metrics;
    // @ts-expect-error a loss whose result may lack metrics promises none
    const none: { loss_total: number } = plain.metrics;
    expect(sum['custom_loss:sum']).toBe(0);
    expect(totals).toMatchObject({ loss_total: 1, regularizer_total: 0, 'custom_loss:sum': 1 });
    expect(none).not.toHaveProperty('loss_total');
  });
});

/**
 * Found by hand: `iterateTrainingRuns` had no `project_id` and `iterateSessions` no `access_scope`, though
 * `listTrainingRuns` and `listSessions` take them (Python: `list_training_runs(…, project_id)`,
 * `list_sessions(…, access_scope)`). Passed anyway, they were dropped without a word: every project's runs.
 */
describe.each(E2E_MODES)('the iterate… methods take the filters of their list… methods (%s)', (mode) => {
  let env: Awaited<ReturnType<typeof setup>>;
  let other: ServiceClient;

  beforeAll(async () => {
    env = await setup({}, { project_id: 'proj-a' }, mode);
    other = new ServiceClient({
      api_key: API_KEY,
      base_url: env.emulator.url,
      protocol: MODE_PROTOCOL[mode],
      telemetry: false,
      log_level: 'off',
      env: {},
    });
    await env.service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 8 });
    await other.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 8 });
  });
  afterAll(async () => {
    await other.close();
    await env.close();
  });

  it('iterateTrainingRuns({ project_id }) lists that project’s runs only, as listTrainingRuns does', async () => {
    const rest = env.service.createRestClient();
    const listed = await rest.listTrainingRuns({ project_id: 'proj-a' });
    const iterated = await rest.iterateTrainingRuns({ project_id: 'proj-a', page_size: 1 }).toArray();
    expect(listed.training_runs).toHaveLength(1);
    expect(iterated.map((run) => run.training_run_id)).toEqual(
      listed.training_runs.map((run) => run.training_run_id),
    );
    expect(await rest.iterateTrainingRuns().toArray()).toHaveLength(2);
  });

  // Found by hand: toArray({ maxx: 1 }) listed every run (the bound dropped), and with timeoutMs the
  // iterable is Tinkex's own, which collected pages by itself.
  it('toArray refuses a misspelt or malformed bound before any page is asked, with or without timeoutMs', async () => {
    const rest = env.service.createRestClient();
    const from = callsTo(env, 'training_runs').length;
    for (const pages of [rest.iterateTrainingRuns(), rest.iterateTrainingRuns({}, { timeoutMs: 60_000 })]) {
      await expect(pages.toArray({ maxx: 1 } as never)).rejects.toMatchObject({
        name: 'ValidationError',
        issues: [expect.objectContaining({ pointer: '/maxx', rule: 'additionalProperties' })],
      });
      await expect(pages.toArray({ max: '1' } as never)).rejects.toBeInstanceOf(ValidationError);
    }
    expect(callsTo(env, 'training_runs').length).toBe(from);
    expect(await rest.iterateTrainingRuns({}, { timeoutMs: 60_000 }).toArray({ max: 1 })).toHaveLength(1);
  });

  it('iterateSessions({ access_scope }) sends it on every page, as listSessions does', async () => {
    const rest = env.service.createRestClient();
    const from = callsTo(env, 'sessions').length;
    const ids = await rest.iterateSessions({ access_scope: 'accessible', page_size: 1 }).toArray();
    const pages = callsTo(env, 'sessions').slice(from);
    expect(ids).toHaveLength(2);
    expect(pages.length).toBeGreaterThanOrEqual(2);
    for (const page of pages) expect(page.path).toContain('access_scope=accessible');
  });
});

/**
 * Found by hand: `getAuditLog({ day: '2026-13-45' })` was sent (the pattern checked digits, not the
 * calendar), `day: ''` was dropped (every day), and a `Date` (Python: `day: date`) was refused by the type.
 */
// Servers of the JSON protocol (the emulator's --legacy-json) have no audit log: a 404 there.
describeInModes(['v025', 'v025-jwt-zstd'], 'getAuditLog({ day })', () => {
  let env: Awaited<ReturnType<typeof setup>>;

  beforeAll(async () => {
    env = await setup();
  });
  afterAll(() => env.close());

  it.each(['2026-13-45', '2026-02-30', '', '2026-07-13T00:00:00Z', new Date(Number.NaN)])(
    'refuses %p before anything is sent (ValidationError at /day, rule format)',
    async (day) => {
      const rest = env.service.createRestClient();
      const from = callsTo(env, 'audit').length;
      const error = await rest.getAuditLog({ day }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues).toEqual([
        expect.objectContaining({ pointer: '/day', rule: 'format' }),
      ]);
      expect(callsTo(env, 'audit').length).toBe(from);
    },
  );

  it('sends a Date as its UTC calendar day, and a plain date as it is', async () => {
    const rest = env.service.createRestClient();
    const from = callsTo(env, 'audit').length;
    await rest.getAuditLog({ day: new Date('2026-07-13T23:30:00Z') });
    await rest.getAuditLog({ event_type: 'checkpoints', day: '2026-02-28' });
    const sent = callsTo(env, 'audit')
      .slice(from)
      .map((e) => e.path);
    expect(sent).toEqual([
      '/api/v1/audit?event_type=all&day=2026-07-13',
      '/api/v1/audit?event_type=checkpoints&day=2026-02-28',
    ]);
  });
});

/**
 * Found by hand: a model's `user_metadata` with a value that is not a string (`{ team: 7 }` from plain
 * JavaScript) was sent as is, though the type, the Python SDK (`dict[str, str]`) and the ServiceClient's
 * own `user_metadata` option all take strings only.
 */
describe.each(E2E_MODES)('a model’s user_metadata (%s)', (mode) => {
  let env: Awaited<ReturnType<typeof setup>>;
  let checkpoint: string;

  beforeAll(async () => {
    env = await setup({}, {}, mode);
    const training = await env.service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B' });
    checkpoint = (await training.saveState('md')).path;
  });
  afterAll(() => env.close());

  const notStrings = [{ team: 7 }, { team: { name: 'x' } }, { team: null }];

  it.each(notStrings.map((m) => [JSON.stringify(m), m] as const))(
    'holding %s is a ValidationError at /user_metadata/team, and no model is created',
    async (_text, metadata) => {
      const user_metadata = metadata as unknown as Record<string, string>;
      const created = () => callsTo(env, 'create_model').length + callsTo(env, 'load_weights').length;
      const from = created();
      for (const attempt of [
        env.service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', user_metadata }),
        env.service.createTrainingClientFromState(checkpoint, { user_metadata }),
      ]) {
        const error = await attempt.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).issues).toEqual([
          expect.objectContaining({ pointer: '/user_metadata/team', rule: 'type' }),
        ]);
      }
      expect(created()).toBe(from);
    },
  );

  it('of strings is sent and read back', async () => {
    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      user_metadata: { team: 'research' },
    });
    const run = await env.service.createRestClient().getTrainingRun(training.model_id);
    expect(run.user_metadata).toEqual({ team: 'research' });
  });
});
