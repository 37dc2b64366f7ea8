import { afterEach, expect, it } from '@jest/globals';
import { FakeClock, Ports } from 'pristine-kernel';
import { ExpiredCredentialError } from '../../src/index.js';
import { describeInModes, E2E_MODES, setup } from './harness.js';

const NOW = Date.UTC(2027, 0, 15, 8);
/** A JWT that expired an hour before NOW (signature irrelevant: the client only reads claims). */
const EXPIRED = ['{"alg":"HS256"}', JSON.stringify({ sub: 'u', exp: NOW / 1000 - 3600 }), 'sig']
  .map((part, i) => (i < 2 ? Buffer.from(part).toString('base64url') : part))
  .join('.');

let envs: Array<Awaited<ReturnType<typeof setup>>> = [];
afterEach(async () => {
  for (const env of envs) await env.close();
  envs = [];
});

/**
 * Found on review: an expired `eyJ…` key was sent on every call and refused with a generic 401. Now the
 * first call fails with the typed error, on the kernel's clock, and the server sees no request at all.
 */
describeInModes(E2E_MODES, 'an expired JWT as the API key', () => {
  it('fails the first call with ExpiredCredentialError naming TINKER_API_KEY; nothing is sent, nothing retried', async () => {
    const env = await setup(
      {},
      {
        api_key: undefined,
        env: { TINKER_API_KEY: EXPIRED },
        configureKernel: (k) => k.register(Ports.Clock, new FakeClock(NOW)),
      },
    );
    envs.push(env);
    const error = await env.service
      .createRestClient()
      .listTrainingRuns()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExpiredCredentialError);
    expect(error).toMatchObject({ source: 'TINKER_API_KEY', expiredAt: '2027-01-15T07:00:00.000Z' });
    expect(env.emulator.requestLog()).toEqual([]);
  });
});
