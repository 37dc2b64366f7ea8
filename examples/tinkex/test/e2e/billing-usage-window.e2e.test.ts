import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ValidationError } from 'pristine-kernel';
import { startEmulator, type RunningEmulator } from 'tinker-emulator';
import { ServiceClient } from '../../src/index.js';
import { API_KEY } from './harness.js';

/**
 * `RestClient.getBillingUsage` checks its window before anything is sent, as the CLI's `billing usage`
 * does. Found by hand: `getBillingUsage('2026-12-04', '2026-12-05')` (what the CLI accepts) went to
 * the server and came back as a 400 "starting_on must be an RFC 3339 time", a reversed or 30-day window
 * too, and an invalid `Date` threw a bare `RangeError: Invalid time value`.
 */
describe('RestClient.getBillingUsage: the window, checked before sending', () => {
  let emulator: RunningEmulator;
  let service: ServiceClient;
  beforeAll(async () => {
    emulator = await startEmulator({ seed: 1 });
    service = new ServiceClient({ api_key: API_KEY, base_url: emulator.url, telemetry: false, env: {} });
  });
  afterAll(async () => {
    await service.close();
    await emulator.close();
  });

  const billingCalls = () => emulator.requestLog().filter((r) => r.path.includes('billing')).length;

  const refused = async (from: Date | string, to: Date | string) => {
    const error = await service
      .createRestClient()
      .getBillingUsage(from, to)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues.map((i) => `${i.pointer} ${i.rule}`);
  };

  it('names the field and the rule of a bad window, and sends nothing', async () => {
    // The other test shares the emulator and may run first (CI randomizes the order): count from here.
    const before = billingCalls();
    expect(await refused('yesterday', '2026-07-14T00:00:00Z')).toEqual(['/starting_on format']);
    expect(await refused('2026-02-30', '2026-03-02')).toEqual(['/starting_on format']);
    expect(await refused('2026-07-13T00:00:00', '2026-07-14T00:00:00Z')).toEqual(['/starting_on format']);
    expect(await refused('2026-07-13T00:30:00Z', '2026-07-14T00:00:00Z')).toEqual(['/starting_on hour']);
    expect(await refused(new Date(Number.NaN), '2026-07-14T00:00:00Z')).toEqual(['/starting_on format']);
    expect(await refused('2026-07-14T00:00:00Z', '2026-07-13T00:00:00Z')).toEqual(['/ending_before order']);
    expect(await refused('2026-07-01', '2026-07-31')).toEqual(['/ending_before maximum']);
    // A JavaScript caller (no types) who leaves the window out is told it is required, not "format".
    expect(await refused(undefined as unknown as string, undefined as unknown as string)).toEqual([
      '/starting_on required',
      '/ending_before required',
    ]);
    expect(billingCalls()).toBe(before);
  });

  it('takes plain dates (midnight UTC), Dates and offsets, as the CLI does', async () => {
    const rest = service.createRestClient();
    // The other tests share the emulator and may call billing first (CI randomizes the order): from here.
    const logged = emulator.requestLog().length;
    const day = new Date(Date.now() - 24 * 3_600_000).toISOString().slice(0, 10);
    const start = new Date(`${day}T00:00:00Z`);
    await expect(rest.getBillingUsage(day, new Date(start.getTime() + 3_600_000))).resolves.toHaveProperty(
      'data',
    );
    await expect(rest.getBillingUsage(`${day}T02:00:00+02:00`, `${day}T05:00:00Z`)).resolves.toHaveProperty(
      'data',
    );
    const sent = emulator
      .requestLog()
      .slice(logged)
      .filter((r) => r.path.includes('billing'))
      .map((r) => r.path);
    expect(sent[0]).toContain(`starting_on=${day}T00%3A00%3A00Z`);
  });

  it("types each row's event_info as the Python SDK's union on `type`, so its quantity reads without a cast", async () => {
    // Found by hand from the packed package: `event_info` was typed `{ type: string }`, so
    // `row.event_info.token_count` did not compile although every row carries it. `npm run typecheck`
    // compiles this test: the reads below are the check that failed there.
    const training = await service.createLoraTrainingClient({ base_model: 'tinkex/byte-tiny', rank: 2 });
    const tokens = [1, 2, 3, 4];
    await training.forwardBackward(
      [
        {
          model_input: { chunks: [{ tokens: tokens.slice(0, -1) }] },
          loss_fn_inputs: { target_tokens: { data: tokens.slice(1), dtype: 'int64' } },
        },
      ],
      'cross_entropy',
    );
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    const usage = await service
      .createRestClient()
      .getBillingUsage(new Date(hour - 3_600_000), new Date(hour + 3_600_000));
    const quantities = usage.data.map(({ event_info: info }) => {
      switch (info.type) {
        case 'training':
        case 'sampling_sample':
          return `${info.type} ${info.token_count}`;
        case 'sampling_prefill':
          return `${info.type} ${info.token_count} cached=${info.cached}`;
        case 'checkpoint':
          return `${info.type} ${info.count}`;
        case 'storage':
          return `${info.type} ${info.gigabyte_hours}`;
      }
    });
    expect(quantities).toContain('training 3');
  });
});
