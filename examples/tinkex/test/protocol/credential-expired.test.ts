import { describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import { Secret } from 'pristine-kernel';
import { resolveConfig } from '../../src/config.js';
import { CredentialSource } from '../../src/protocol/credential.js';
import { ExpiredCredentialError } from '../../src/protocol/expired-credential.js';

/** A JWT whose `exp` claim is `expSeconds` (signature irrelevant: the client only reads claims). */
const jwtExpiring = (expSeconds: number) =>
  ['{"alg":"HS256"}', JSON.stringify({ sub: 'u', exp: expSeconds }), 'sig']
    .map((part, i) => (i < 2 ? Buffer.from(part).toString('base64url') : part))
    .join('.');

const NOW = 1_800_000_000_000; // 2027-01-15T08:00:00Z, the test's clock
const PAST = NOW / 1000 - 3600; // expired an hour before NOW

/**
 * Found on review: an `eyJ…` key whose `exp` had passed was sent on every call, and the user saw only
 * the server's generic 401. Now the call fails before anything is sent, naming where the key came from
 * and when it expired, never the key.
 */
describe('an expired JWT is never sent', () => {
  it.each(['api_key', 'TINKER_API_KEY'] as const)(
    'an expired key from %s: not at hand, and get() names the origin and the expiry',
    async (origin) => {
      const key = jwtExpiring(PAST);
      const source = new CredentialSource(
        new Secret(key),
        undefined,
        () => NOW,
        undefined,
        undefined,
        undefined,
        origin,
      );
      expect(source.peek()).toBeUndefined();
      const error = await source.get().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ExpiredCredentialError);
      expect(error).toMatchObject({
        source: origin,
        expiredAt: new Date(PAST * 1000).toISOString(),
        retryable: false,
      });
      expect((error as Error).message).toBe(
        `${origin} is a JWT that expired at 2027-01-15T07:00:00.000Z; nothing was sent: get a new key and set ${origin} to it`,
      );
      expect(inspect(error) + JSON.stringify(error)).not.toContain(key);
    },
  );

  it('a key that expires later works until its exp passes on the clock, then fails the same way', async () => {
    let now = NOW;
    const key = jwtExpiring(NOW / 1000 + 60);
    const source = new CredentialSource(new Secret(key), undefined, () => now);
    expect(source.peek()).toBe(key);
    expect(await source.get()).toBe(key);
    now += 60_000;
    expect(source.peek()).toBeUndefined();
    await expect(source.get()).rejects.toBeInstanceOf(ExpiredCredentialError);
  });

  it('a JWT without exp, and a tml- key, are sent as they are', async () => {
    const noExp = ['{"alg":"HS256"}', '{"sub":"u"}', 'sig']
      .map((p) => Buffer.from(p).toString('base64url'))
      .join('.');
    for (const key of [noExp, 'tml-key']) {
      expect(await new CredentialSource(new Secret(key), undefined, () => NOW).get()).toBe(key);
    }
  });

  it("a command's expired JWT: the command runs once more, and its fresh JWT is used", async () => {
    const fresh = jwtExpiring(NOW / 1000 + 600);
    const outputs = [jwtExpiring(PAST), fresh];
    let runs = 0;
    const source = new CredentialSource(
      undefined,
      'print-jwt',
      () => NOW,
      async () => outputs[runs++]!,
    );
    expect(await source.get()).toBe(fresh);
    expect(runs).toBe(2);
  });

  it('a command that prints an expired JWT twice fails with the typed error after two runs, no more', async () => {
    let runs = 0;
    const source = new CredentialSource(
      undefined,
      'print-jwt',
      () => NOW,
      async () => {
        runs++;
        return jwtExpiring(PAST);
      },
    );
    const error = await source.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExpiredCredentialError);
    expect((error as Error).message).toBe(
      'TINKER_CREDENTIAL_CMD printed a JWT that expired at 2027-01-15T07:00:00.000Z; nothing was sent: ' +
        'it printed an expired one twice: renew the login it uses, then run again',
    );
    expect(runs).toBe(2);
  });

  it('the config says where the key came from: the option over the variable', () => {
    const key = jwtExpiring(PAST);
    expect(resolveConfig({ api_key: key, env: {} }).api_key_from).toBe('api_key');
    expect(resolveConfig({ env: { TINKER_API_KEY: key } }).api_key_from).toBe('TINKER_API_KEY');
    expect(resolveConfig({ env: { TINKER_CREDENTIAL_CMD: 'x' } }).api_key_from).toBeUndefined();
  });
});
