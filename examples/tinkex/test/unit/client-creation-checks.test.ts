import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { json, scriptedServer } from '../../../../test/support/scripted-server.js';
import { ServiceClient } from '../../src/index.js';
import { rejected } from '../../../../test/support/validation-errors.js';

// Creating a client starts the session (client/config, create_session, heartbeats) before the create
// request itself; bad input used to be found only at that request, after the session was open.
describe('client creation refuses bad input before the session starts', () => {
  let server: Awaited<ReturnType<typeof scriptedServer>>;
  beforeAll(async () => {
    server = await scriptedServer((_req, res) => json(res, 200, {}));
  });
  afterAll(() => server.close());

  const path = 'tinker://run-1/weights/step-1';
  const cases: [string, (s: ServiceClient) => Promise<unknown>, string, string][] = [
    [
      'lora rank',
      (s) => s.createLoraTrainingClient({ base_model: 'm', rank: -1 }),
      '/lora_config/rank',
      'minimum',
    ],
    [
      'lora base_model',
      (s) => s.createLoraTrainingClient({ base_model: 42 as never }),
      '/base_model',
      'type',
    ],
    [
      'lora empty base_model',
      (s) => s.createLoraTrainingClient({ base_model: '' }),
      '/base_model',
      'minLength',
    ],
    [
      'lora user_metadata',
      (s) => s.createLoraTrainingClient({ base_model: 'm', user_metadata: { team: 7 } as never }),
      '/user_metadata/team',
      'type',
    ],
    ['sampler base_model', (s) => s.createSamplingClient({ base_model: 42 as never }), '/base_model', 'type'],
    [
      'from-state base_model',
      (s) => s.createTrainingClientFromState(path, { base_model: 5 as never }),
      '/base_model',
      'type',
    ],
    [
      'from-state empty base_model',
      (s) => s.createTrainingClientFromStateWithOptimizer(path, { base_model: '' }),
      '/base_model',
      'minLength',
    ],
    [
      'from-state user_metadata',
      (s) => s.createTrainingClientFromState(path, { user_metadata: { team: 7 } as never }),
      '/user_metadata/team',
      'type',
    ],
  ];

  for (const protocol of ['auto', 'v025', 'legacy'] as const) {
    it.each(cases)(
      `%s (protocol ${protocol}): a ValidationError naming it, nothing sent`,
      async (_n, create, pointer, rule) => {
        const service = new ServiceClient({
          api_key: 'tml-creation-checks-0123',
          base_url: server.url,
          telemetry: false,
          env: {},
          protocol,
        });
        const before = server.seen.length;
        const error = await rejected(create(service));
        expect(error.issues).toEqual([expect.objectContaining({ pointer, rule })]);
        expect(error.retryable).toBe(false);
        expect(server.seen.slice(before)).toEqual([]);
        await service.close();
      },
    );
  }
});
