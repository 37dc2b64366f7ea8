import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { json, scriptedServer } from '../../../../test/support/scripted-server.js';
import { samplingParams, ServiceClient, TensorData } from '../../src/index.js';
import { parseTinkerPath } from '../../src/types/tinker-path.js';
import { rejected, thrown } from '../../../../test/support/validation-errors.js';

const KEY = 'tml-regression-key-0123';

describe('Tinkex validation holes (issue 13, items 6 and 7)', () => {
  let server: Awaited<ReturnType<typeof scriptedServer>>;
  // Nothing at all may leave for bad input: not even the 0.25 protocol handshake (client/config).
  const apiCalls = () => server.seen;
  beforeAll(async () => {
    server = await scriptedServer((_req, res) => json(res, 200, {}));
  });
  afterAll(() => server.close());

  const client = (options: Record<string, unknown> = {}) =>
    new ServiceClient({ api_key: KEY, base_url: server.url, telemetry: false, env: {}, ...options });

  it('validates every ServiceClient option at construction, naming the option and the rule', () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ max_retries: Number.NaN }, '/max_retries', 'integer'],
      [{ max_retries: -1 }, '/max_retries', 'minimum'],
      [{ heartbeat_interval_ms: 0 }, '/heartbeat_interval_ms', 'minimum'],
      [{ heartbeat_interval_ms: Number.NaN }, '/heartbeat_interval_ms', 'finite'],
      [{ timeout_ms: '60s' }, '/timeout_ms', 'finite'],
      [{ timeout_ms: Infinity }, '/timeout_ms', 'finite'],
      [{ base_url: 'tinker.example' }, '/base_url', 'format'],
      // The endpoint's path is appended to the base URL: in a query it would go to the wrong path (round 32).
      [{ base_url: 'https://tinker.example/?token=t0p-s3cret' }, '/base_url', 'format'],
      [{ base_url: 'https://tinker.example/api#v1' }, '/base_url', 'format'],
      [{ tags: 'a,b' }, '/tags', 'type'],
      [{ user_metadata: { team: 7 } }, '/user_metadata/team', 'type'],
      [{ telemetry: 'no' }, '/telemetry', 'type'],
      [{ log_level: 'loud' }, '/log_level', 'enum'],
      [{ default_headers: { 'X-Team': 'a\r\nX-Evil: 1' } }, '/default_headers/X-Team', 'header-value'],
      [{ default_headers: { 'X-Team': 'ünicode' } }, '/default_headers/X-Team', 'header-value'],
      [{ default_headers: { 'X Team': 'a' } }, '/default_headers/X Team', 'header-name'],
      [{ sample_dispatch_concurrency: 0 }, '/sample_dispatch_concurrency', 'minimum'],
      [{ configureKernel: 'yes' }, '/configureKernel', 'type'],
      // A misspelt option would otherwise be ignored: the caller believes a timeout is set that is not.
      [{ timeoutMs: 5000 }, '/timeoutMs', 'additionalProperties'],
      [{ maxRetries: 0 }, '/maxRetries', 'additionalProperties'],
      [{ env: { TINKER_BASE_URL: 'nope' } }, '/env/TINKER_BASE_URL', 'format'],
      [{ env: { TINKER_BASE_URL: 'http://127.0.0.1:1/?' } }, '/env/TINKER_BASE_URL', 'format'],
      [{ protocol: 'v2' }, '/protocol', 'enum'],
      // Found in round 25: a bad TINKER_PROTOCOL was reported as the option `/protocol`, which the
      // caller never passed; every other variable is named as itself.
      [{ env: { TINKER_PROTOCOL: 'v2' } }, '/env/TINKER_PROTOCOL', 'enum'],
      [
        { env: { CLOUDFLARE_ACCESS_CLIENT_SECRET: 's\n' } },
        '/env/CLOUDFLARE_ACCESS_CLIENT_SECRET',
        'header-value',
      ],
    ];
    for (const [options, pointer, rule] of cases) {
      const error = thrown(() => client(options));
      expect(error.issues).toEqual([expect.objectContaining({ pointer, rule })]);
      expect(error.retryable).toBe(false);
    }
    expect(thrown(() => client({ timeoutMs: 5000 })).message).toContain('did you mean "timeout_ms"');
    expect(thrown(() => client({ sample_throttel: {} })).message).toContain('did you mean "sample_throttle"');
    expect(() => client({ timeoutMs: undefined })).not.toThrow();
    expect(thrown(() => new ServiceClient(42 as never)).issues[0]).toMatchObject({
      pointer: '',
      rule: 'type',
    });
  });

  it('refuses an API key that can never be sent (pasted "…", CR/LF), from the option or the env, without quoting it', () => {
    for (const key of ['tml-secret…', 'tml-secret\r\n', 'tml-secret\n', 'tml-sécret']) {
      for (const options of [{ api_key: key }, { api_key: undefined, env: { TINKER_API_KEY: key } }]) {
        const error = thrown(() => client(options));
        expect(error.issues).toEqual([
          expect.objectContaining({ pointer: '/api_key', rule: 'header-value' }),
        ]);
        expect(error.message).not.toContain('secret');
      }
    }
  });

  it('refuses "." and ".." tinker paths: the DELETE of tinker://../weights/x never leaves', async () => {
    const rest = client().createRestClient();
    for (const path of ['tinker://../weights/x', 'tinker://./weights/x', 'tinker://run/weights/..']) {
      expect(thrown(() => parseTinkerPath(path)).issues[0].rule).toBe('dot-segment');
      expect((await rejected(rest.deleteCheckpointFromTinkerPath(path))).issues[0].rule).toBe('dot-segment');
    }
    // The id-based form is refused by the kernel's path rules.
    const direct = await rejected(rest.deleteCheckpoint('..', 'weights/x'));
    expect(direct.issues).toEqual([
      expect.objectContaining({ pointer: '/training_run_id', rule: 'dot-segment' }),
    ]);
    expect(apiCalls()).toEqual([]);
  });

  it('refuses a misspelt per-call option (a timeout that would not apply) before sending', async () => {
    const service = client();
    const rest = service.createRestClient();
    const error = await rejected(
      (async () => rest.listTrainingRuns(undefined, { timeout_ms: 5000 } as never))(),
    );
    expect(error.issues).toEqual([
      expect.objectContaining({ pointer: '/timeout_ms', rule: 'additionalProperties' }),
    ]);
    expect(error.message).toContain('did you mean "timeoutMs"');
    const sampler = (async () =>
      service.createSamplingClient({ base_model: 'meta-llama/Llama-3.2-1B' }, { timeout: 5 } as never))();
    expect((await rejected(sampler)).issues[0]).toMatchObject({
      pointer: '/timeout',
      rule: 'additionalProperties',
    });
    expect(apiCalls()).toEqual([]);
    await service.close();
  });

  it('refuses per-call headers that can never be sent before sending: zero requests at the server', async () => {
    const rest = client({ max_retries: 5 }).createRestClient();
    for (const value of ['a\r\nb', 'key…', 'line\n']) {
      const error = await rejected(
        rest.getCheckpointArchiveUrl('run', 'weights/x', { headers: { 'X-Note': value } }),
      );
      expect(error.issues).toEqual([
        expect.objectContaining({ pointer: '/headers/X-Note', rule: 'header-value' }),
      ]);
    }
    expect(apiCalls()).toEqual([]);
  });

  it('bad input fails with the same typed error in every protocol mode, before any handshake', async () => {
    const issues: unknown[] = [];
    for (const protocol of ['auto', 'v025', 'legacy'] as const) {
      const rest = client({ protocol }).createRestClient();
      issues.push((await rejected(rest.deleteCheckpoint('..', 'weights/x'))).issues);
      issues.push((await rejected(rest.deleteCheckpointFromTinkerPath('tinker://run/weights/..'))).issues);
    }
    expect(issues.slice(2)).toEqual([...issues.slice(0, 2), ...issues.slice(0, 2)]);
    expect(apiCalls()).toEqual([]);
  });

  it('answers the builders’ former crashes and silent garbage with a ValidationError', () => {
    expect(thrown(() => TensorData.fromArray(new Set([1, 2]) as never, 'int64')).issues[0]).toMatchObject({
      pointer: '/data',
      rule: 'type',
    });
    expect(thrown(() => TensorData.fromArray([1e39], 'float32')).issues[0]).toMatchObject({
      pointer: '/data/0',
      rule: 'maximum',
    });
    expect(thrown(() => TensorData.fromArray([1, 2], 'int64', 2 as never)).issues[0].rule).toBe('type');
    expect(thrown(() => samplingParams({ temperature: Infinity })).issues[0].pointer).toBe('/temperature');
    expect(thrown(() => samplingParams({ temperature: Symbol('t') as never })).issues[0].pointer).toBe(
      '/temperature',
    );
    expect(thrown(() => samplingParams(null as never)).issues[0].rule).toBe('type');
    expect(thrown(() => samplingParams({ top_k: 1, bogus: 1 } as never)).issues[0]).toMatchObject({
      pointer: '/bogus',
      rule: 'additionalProperties',
    });
  });
});
