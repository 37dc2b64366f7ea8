import { afterEach, describe, expect, it } from '@jest/globals';
import { FakeClock, Secret, ValidationError, type Clock } from 'pristine-kernel';
import { jwtEnv } from '../support/jwt-env.js';
import { CredentialSource } from '../../src/protocol/credential.js';
import { TinkerProtocol } from '../../src/protocol/tinker-protocol.js';
import { TinkerHolders } from '../../src/protocol/holders.js';
import { TinkerAuth } from '../../src/plugin/tinker-auth.js';

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

/** A JWT whose `exp` claim is `expSeconds` (signature irrelevant: the client only reads claims). */
const jwtExpiring = (expSeconds: number) =>
  ['{"alg":"HS256"}', JSON.stringify({ sub: 'u', exp: expSeconds }), 'sig']
    .map((part, i) => (i < 2 ? Buffer.from(part).toString('base64url') : part))
    .join('.');

describe('renewing a refused credential (a 401)', () => {
  it("a command's refused JWT is dropped and the command run again; an API key cannot be renewed", async () => {
    const first = jwtExpiring(1_000 + 600);
    const second = jwtExpiring(1_000 + 900);
    const outputs = [first, second];
    let runs = 0;
    const source = new CredentialSource(
      new Secret('tml-key'),
      'print-credential',
      () => 1_000_000,
      async () => outputs[runs++]!,
    );
    expect(await source.get(true)).toBe(first);
    expect(source.renew('tml-key')).toBe(false);
    expect(source.renew(first)).toBe(true);
    expect(source.peek(true)).toBeUndefined();
    expect(await source.get(true)).toBe(second);
    // A refusal of the old output after a newer one is cached keeps the newer one.
    expect(source.renew(first)).toBe(true);
    expect(source.peek(true)).toBe(second);
    expect(runs).toBe(2);
    expect(new CredentialSource(new Secret('tml-key'), undefined, () => 0).renew('tml-key')).toBe(false);
  });
});

describe('the credential at hand without waiting (every request asks)', () => {
  it('an API key is at hand; without key or command nothing is, and get() still fails with the typed error', async () => {
    const withKey = new CredentialSource(new Secret('tml-key'), undefined, () => 0);
    expect(withKey.peek()).toBe('tml-key');
    const none = new CredentialSource(undefined, undefined, () => 0);
    expect(none.peek()).toBeUndefined();
    await expect(none.get()).rejects.toBeInstanceOf(ValidationError);
  });

  it("a command's JWT is at hand until a minute before exp; opaque output never is (it is fetched anew)", async () => {
    let now = 1_000_000;
    let printed = jwtExpiring(1_000 + 600); // exp 600 s after `now`
    let runs = 0;
    const source = new CredentialSource(
      undefined,
      'print-credential',
      () => now,
      async () => {
        runs++;
        return printed;
      },
    );
    expect(source.peek()).toBeUndefined(); // the command has not run yet
    expect(await source.get()).toBe(printed);
    expect(source.peek()).toBe(printed);
    now += 540_000; // exactly 60 s left: due again
    expect(source.peek()).toBeUndefined();
    printed = 'opaque-token';
    expect(await source.get()).toBe('opaque-token');
    expect(source.peek()).toBeUndefined();
    expect(runs).toBe(2);
  });

  it('TinkerAuth writes the key synchronously, and waits for a command that has not run yet', async () => {
    const keyedProtocol = new TinkerProtocol(new CredentialSource(new Secret('tml-key'), undefined, () => 0));
    const holders = new TinkerHolders(keyedProtocol, keyedProtocol);
    const keyed = new TinkerAuth(holders, new Secret('tml-key'));
    const headers: Record<string, string> = {};
    const info = {
      url: 'http://127.0.0.1/api/v1/get_info',
      method: 'POST',
      endpointId: 'get_info',
      attempt: 0,
    };
    expect(keyed.apply(headers, info)).toBeUndefined();
    expect(headers['x-api-key']).toBe('tml-key');

    const commanded = new TinkerProtocol(
      new CredentialSource(
        undefined,
        'print-credential',
        () => 0,
        async () => 'from-command',
      ),
    );
    const auth = new TinkerAuth(holders, undefined, commanded);
    const pending = auth.apply(headers, info);
    expect(pending).toBeInstanceOf(Promise);
    await pending;
    expect(headers['x-api-key']).toBe('from-command');
  });
});

/** The kernel's clock, whose wall time can jump without firing timers (a laptop waking from sleep). */
class SkewClock implements Clock {
  skewMs = 0;
  constructor(private readonly inner: FakeClock) {}
  now(): number {
    return this.inner.now() + this.skewMs;
  }
  monotonic(): number {
    return this.inner.monotonic();
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.inner.sleep(ms, signal);
  }
  after(ms: number, fn: () => void): () => void {
    return this.inner.after(ms, fn);
  }
  every(ms: number, fn: () => void): () => void {
    return this.inner.every(ms, fn);
  }
}

describe('a JWT due for refresh when its timer has not fired', () => {
  it('the next request refreshes it on demand and carries the new token, not the stale one', async () => {
    const clock = new SkewClock(new FakeClock(Date.now()));
    const { env } = await jwtEnv(3600, clock);
    cleanup.push(env.close);
    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 2,
    });
    const tokens = () => env.emulator.requestLog().filter((e) => e.path === '/api/v1/auth/token');
    expect(tokens()).toHaveLength(1);
    const before = env.emulator.requestLog().at(-1)!.headers['x-api-key'];
    clock.skewMs = 3_570_000; // 30 s left, the scheduled refresh (300 s before) never ran
    await training.getInfo();
    expect(tokens()).toHaveLength(2);
    const sent = env.emulator
      .requestLog()
      .filter((e) => e.path === '/api/v1/get_info')
      .at(-1)!.headers['x-api-key'];
    expect(sent).toMatch(/^eyJ/);
    expect(sent).not.toBe(before);
  });
});
