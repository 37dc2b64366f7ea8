import { describe, expect, it } from '@jest/globals';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../../test/support/spawn-cli.js';
import { EmulatorUsageError, runEmulatorCli } from '../src/cli.js';

const BIN = fileURLToPath(new URL('../src/bin.ts', import.meta.url));

/** The account a credential belongs to, as the emulator says it: the `sub` of the JWT it issues. */
async function accountOf(url: string, key: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/auth/token`, { method: 'POST', headers: { 'x-api-key': key } });
  const { jwt } = (await res.json()) as { jwt: string };
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')).sub;
}

/** Run the CLI in-process until it prints its URL; `stop()` sends SIGTERM and returns the exit code. */
async function serve(args: string[]) {
  const signals = new EventEmitter();
  const out = new PassThrough();
  const listening = new Promise<string>((resolve) => {
    let printed = '';
    out.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
      const url = /listening on (\S+)\n/.exec(printed)?.[1];
      if (url) resolve(url);
    });
  });
  const exit = runEmulatorCli([...args, '--port', '0'], out, signals);
  const url = await Promise.race([listening, exit.then((code) => Promise.reject(new Error(`exit ${code}`)))]);
  return { url, stop: () => (signals.emit('SIGTERM'), exit) };
}

/**
 * The `accounts` option (which API key is which account; a checkpoint of one account is 403 to the
 * others) had no command-line flag: `--account KEY=NAME`, repeatable.
 */
describe('tinker-emulator --account KEY=NAME', () => {
  it('gives each named key its account; any other key stays the default account', async () => {
    const server = await serve(['--account', 'tml-alice-key=alice', '--account', 'tml-bob-key=bob']);
    try {
      expect(await accountOf(server.url, 'tml-alice-key')).toBe('urn:tinker:user:alice');
      expect(await accountOf(server.url, 'tml-bob-key')).toBe('urn:tinker:user:bob');
      expect(await accountOf(server.url, 'tml-someone-else')).toBe('urn:tinker:user:emulator-user');
    } finally {
      expect(await server.stop()).toBe(143);
    }
  });

  // An API key is a secret: a refused value never echoes it (masked as the project masks credentials).
  it.each([
    ['tml-alice', '--account "[REDACTED]" must look like KEY=NAME (an API key, "=", an account name)'],
    ['=alice', '--account "=alice" must look like KEY=NAME (an API key, "=", an account name)'],
    ['tml-a=', '--account "[REDACTED]=" must look like KEY=NAME (an API key, "=", an account name)'],
    ['alice-key=alice', '--account "[REDACTED]=alice": KEY must be an API key starting with "tml-"'],
    ['tml-a=al ice', '--account "[REDACTED]=al ice": NAME may hold only letters, digits, ".", "_" and "-"'],
  ])('refuses %s before listening: %s', async (spec, message) => {
    const signals = new EventEmitter();
    const error = await runEmulatorCli(['--account', spec], new PassThrough(), signals).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EmulatorUsageError);
    expect((error as Error).message).toBe(message);
    expect(signals.listenerCount('SIGTERM')).toBe(0);
  });

  it.each([
    [
      ['--account', 'tml-secret-key-0123=alice', '--account', 'tml-secret-key-0123=bob'],
      '--account "[REDACTED]=bob": that KEY is already the account alice',
    ],
    [['--account', 'tml-secret-key-0123=al ice'], '--account "[REDACTED]=al ice": NAME may hold only'],
    [['--account', 'tml-secret-key-0123'], '--account "[REDACTED]" must look like KEY=NAME'],
  ])(
    'the bin exits 2 on %j, its message naming no key',
    async (args, message) => {
      const refused = await runCli(BIN, args);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`tinker-emulator: ${message}`);
      expect(refused.stderr).toMatch(/\(see tinker-emulator --help\)\n$/);
      expect(refused.stdout + refused.stderr).not.toContain('secret-key');
    },
    90_000,
  );
});
