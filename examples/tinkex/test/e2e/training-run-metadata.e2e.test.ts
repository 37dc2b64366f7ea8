import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setup } from './harness.js';

/**
 * A training run's `user_metadata` comes back as it was given: strings by name (the Python SDK's
 * `TrainingRun.user_metadata: dict[str, str] | None`). Found by hand from the packed package: it was typed
 * `{ [x: string]: unknown }`, so `const team: string | undefined = run.user_metadata?.team` did not
 * compile. `npm run typecheck` compiles this test: the typed reads below are the check that failed there.
 */
describe('RestClient: a training run user_metadata is typed as strings', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  beforeAll(async () => {
    env = await setup();
  });
  afterAll(() => env.close());

  it('reads back what createLoraTrainingClient was given, from getTrainingRun and iterateTrainingRuns', async () => {
    const training = await env.service.createLoraTrainingClient({
      base_model: 'tinkex/byte-tiny',
      rank: 2,
      user_metadata: { team: 'research' },
    });
    const rest = env.service.createRestClient();
    const run = await rest.getTrainingRun(training.model_id);
    const team: string | undefined = run.user_metadata?.team;
    expect(team).toBe('research');
    const listed: (string | undefined)[] = [];
    for await (const r of rest.iterateTrainingRuns()) listed.push(r.user_metadata?.team);
    expect(listed).toContain('research');
  });
});
