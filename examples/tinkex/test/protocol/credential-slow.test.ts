import { describe, expect, it } from '@jest/globals';
import { FakeClock, Secret } from 'pristine-kernel';
import { CredentialSource } from '../../src/protocol/credential.js';

// Found by hand: `TINKER_CREDENTIAL_CMD='sleep 987' npx tinkex run list` printed nothing for 60 s, then
// "did not finish within 60 s": a command waiting for a login (an SSO helper, a prompt on another
// terminal) looked like a hung CLI. A command still running after 5 s is now said at info (the CLI's level).
describe('a credential command that takes long', () => {
  it('is said once after 5 s, never with its output, and not at all when it answers sooner', async () => {
    const clock = new FakeClock(1_000_000);
    const said: string[] = [];
    let answer: (value: string) => void = () => undefined;
    const source = new CredentialSource(
      undefined,
      'sso-login',
      () => clock.now(),
      () => new Promise<string>((resolve) => (answer = resolve)),
      undefined,
      { after: (ms, fn) => clock.after(ms, fn), say: (message) => said.push(message) },
    );
    const pending = source.get();
    await clock.advance(4_999);
    expect(said).toEqual([]);
    await clock.advance(20_000);
    expect(said).toEqual([
      'still waiting for TINKER_CREDENTIAL_CMD to print a credential (ended after 60 s): if it asks you ' +
        'to log in, in a browser or on this terminal, do so',
    ]);
    answer('tml-from-command');
    await expect(pending).resolves.toBe('tml-from-command');
    // A key at hand, or a quick command: nothing is said.
    const quick = new CredentialSource(
      new Secret('tml-key'),
      'print-key',
      () => clock.now(),
      async () => 'tml-quick',
      undefined,
      { after: (ms, fn) => clock.after(ms, fn), say: (message) => said.push(message) },
    );
    await expect(quick.get(true)).resolves.toBe('tml-quick');
    await clock.advance(60_000);
    expect(said).toHaveLength(1);
  });
});
