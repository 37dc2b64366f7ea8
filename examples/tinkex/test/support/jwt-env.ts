import { Ports, type Clock } from 'pristine-kernel';
import { setup } from '../e2e/harness.js';

/**
 * An emulator in 0.25 mode that hands out JWTs living `ttlSeconds`, and a client on the same clock (a
 * FakeClock, or one wrapping it), so a test moves both through expiries and refreshes. `skew.ms` puts the
 * server's clock ahead of the client's (settable mid-test). The caller closes `env`.
 */
export async function jwtEnv<C extends Clock>(ttlSeconds: number, clock: C, skew = { ms: 0 }) {
  const env = await setup(
    {
      now: () => clock.now() + skew.ms,
      jwtTtlSeconds: ttlSeconds,
      clientConfig: { pjwt_auth_enabled: true },
    },
    { configureKernel: (k) => k.register(Ports.Clock, clock) },
    'v025',
  );
  return { env, clock, skew };
}
