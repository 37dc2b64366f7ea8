import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startEmulator, type RunningEmulator } from 'tinker-emulator';
import { ServiceClient } from '../../src/index.js';
import { API_KEY } from './harness.js';

/**
 * A training run's `user_metadata` comes back as it was given: strings by name (the Python SDK's
 * `TrainingRun.user_metadata: dict[str, str] | None`). Found by hand from the packed package: it was typed
 * `{ [x: string]: unknown }`, so `const team: string | undefined = run.user_metadata?.team` did not
 * compile. `npm run typecheck` compiles this test: the typed reads below are the check that failed there.
 */
describe('RestClient: a training run user_metadata is typed as strings', () => {
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

  it('reads back what createLoraTrainingClient was given, from getTrainingRun and iterateTrainingRuns', async () => {
    const training = await service.createLoraTrainingClient({
      base_model: 'tinkex/byte-tiny',
      rank: 2,
      user_metadata: { team: 'research' },
    });
    const rest = service.createRestClient();
    const run = await rest.getTrainingRun(training.model_id);
    const team: string | undefined = run.user_metadata?.team;
    expect(team).toBe('research');
    const listed: (string | undefined)[] = [];
    for await (const r of rest.iterateTrainingRuns()) listed.push(r.user_metadata?.team);
    expect(listed).toContain('research');
  });
});
