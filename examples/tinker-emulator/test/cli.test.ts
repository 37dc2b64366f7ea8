import { describe, expect, it } from '@jest/globals';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runCli, spawnServer } from '../../../test/support/spawn-cli.js';
import { EmulatorUsageError, runEmulatorCli } from '../src/cli.js';

const BIN = fileURLToPath(new URL('../src/bin.ts', import.meta.url));

describe('the tinker-emulator bin', () => {
  it('serves on the printed URL with the given seed, and exits 143 on SIGTERM', async () => {
    const server = await spawnServer(BIN, ['--port', '0', '--seed', '7']);
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const health = await fetch(`${server.url}/api/v1/healthz`);
      expect(await health.json()).toEqual({ status: 'ok' });
      const session = await fetch(`${server.url}/api/v1/create_session`, {
        method: 'POST',
        headers: { 'x-api-key': 'tml-cli-test', 'content-type': 'application/json' },
        body: JSON.stringify({ tags: [], user_metadata: {}, sdk_version: '0.7.0' }),
      });
      // The session id carries the seed (7) in its first group.
      expect((await session.json()).session_id).toMatch(/^00000007-/);
    } finally {
      expect(await server.stop()).toBe(143);
    }
  }, 90_000);

  it('--flag sets client/config flags and --dynamic-flag the dynamic config', async () => {
    const server = await spawnServer(BIN, [
      '--flag',
      'pjwt_auth_enabled=true',
      '--flag',
      'fwdbwd_max_chunk_len=7',
      '--dynamic-flag',
      'refresh_interval_sec=10',
    ]);
    try {
      const post = (path: string) =>
        fetch(`${server.url}/api/v1/${path}`, {
          method: 'POST',
          headers: { 'x-api-key': 'tml-cli-test', 'content-type': 'application/json' },
          body: JSON.stringify({ sdk_version: '0.25.0' }),
        }).then((r) => r.json());
      expect(await post('client/config')).toMatchObject({
        pjwt_auth_enabled: true,
        fwdbwd_max_chunk_len: 7,
        use_pyqwest_transport: false,
      });
      expect(await post('client/dynamic_config')).toEqual({ refresh_interval_sec: 10 });
    } finally {
      expect(await server.stop()).toBe(143);
    }
  }, 90_000);

  it('--legacy-json answers 404 on client/config', async () => {
    const server = await spawnServer(BIN, ['--legacy-json']);
    try {
      const res = await fetch(`${server.url}/api/v1/client/config`, {
        method: 'POST',
        headers: { 'x-api-key': 'tml-cli-test', 'content-type': 'application/json' },
        body: JSON.stringify({ sdk_version: '0.25.0' }),
      });
      expect(res.status).toBe(404);
    } finally {
      expect(await server.stop()).toBe(143);
    }
  }, 90_000);

  it('refuses bad arguments with exit code 2 (a usage error, as `tinker` and `tinkex` do), naming them', async () => {
    const [flag, option, port, chaos] = await Promise.all([
      runCli(BIN, ['--flag', 'no_such_flag=1']),
      runCli(BIN, ['--colour', 'red']),
      runCli(BIN, ['--port', '99999']),
      runCli(BIN, ['--chaos', 'bogus=1']),
    ]);
    expect(flag.stderr).toContain('unknown flag "no_such_flag"');
    expect(option.stderr).toContain("'--colour'");
    expect(port.stderr).toContain('tinker-emulator: --port must be at most 65535, got "99999"');
    expect(chaos.stderr).toContain('tinker-emulator: --chaos: bad clause "bogus=1"');
    for (const r of [flag, option, port, chaos]) {
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/\(see tinker-emulator --help\)\n$/);
    }
  }, 90_000);

  it('a port already taken is a runtime failure (exit 1) that says to pick another', async () => {
    const server = await spawnServer(BIN, ['--port', '0']);
    try {
      const taken = await runCli(BIN, ['--port', new URL(server.url).port]);
      expect(taken.code).toBe(1);
      expect(taken.stderr).toMatch(
        /^tinker-emulator: port \d+ on 127\.0\.0\.1 is in use: pick another --port \(0 picks a free one\)\n$/,
      );
    } finally {
      expect(await server.stop()).toBe(143);
    }
  }, 90_000);

  it('a --host it cannot listen on is a failure (exit 1) naming --host', async () => {
    // 192.0.2.1 (TEST-NET-1, RFC 5737) is on no interface of a test machine: EADDRNOTAVAIL, no DNS.
    const signals = new EventEmitter();
    const error = await runEmulatorCli(['--host', '192.0.2.1'], new PassThrough(), signals).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toBe(
      'cannot listen on --host 192.0.2.1 (EADDRNOTAVAIL): use an address of this machine (default 127.0.0.1)',
    );
    expect(error).not.toBeInstanceOf(EmulatorUsageError);
    expect([signals.listenerCount('SIGINT'), signals.listenerCount('SIGTERM')]).toEqual([0, 0]);
  });

  it('--help prints the usage and exits 0', async () => {
    const { code, stdout } = await runCli(BIN, ['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: tinker-emulator');
  }, 90_000);

  it('--version prints the package version and exits 0, with no server and no signal handler', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    for (const flag of ['--version', '-V']) {
      const signals = new EventEmitter();
      const out = new PassThrough();
      await expect(runEmulatorCli([flag], out, signals)).resolves.toBe(0);
      expect(String(out.read())).toBe(`${version}\n`);
      expect([signals.listenerCount('SIGINT'), signals.listenerCount('SIGTERM')]).toEqual([0, 0]);
    }
  });

  it('a SIGTERM that arrives while the server is still starting stops it once it listens (exit 143)', async () => {
    const signals = new EventEmitter();
    const out = new PassThrough();
    let printed = '';
    out.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const exit = runEmulatorCli(['--port', '0'], out, signals);
    // Before the first await of the CLI: the server is not listening yet.
    expect(signals.listenerCount('SIGTERM')).toBe(1);
    signals.emit('SIGTERM');
    await expect(exit).resolves.toBe(143);
    expect(printed).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+\n$/);
    // Nothing left behind on the emitter (in a process: no stale handler swallowing a later signal).
    expect([signals.listenerCount('SIGINT'), signals.listenerCount('SIGTERM')]).toEqual([0, 0]);
  });

  it('refuses nonsense numbers at start-up, naming the flag (zero lifetimes and intervals too)', async () => {
    const signals = new EventEmitter();
    const refused = async (args: string[]) => {
      const error = await runEmulatorCli(args, new PassThrough(), signals).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EmulatorUsageError);
      return (error as Error).message;
    };
    // A JWT that expires as it is issued fails every request; the official client refreshes the dynamic
    // config every max(interval, 10) s, and an interval of 0 says nothing a server means.
    expect(await refused(['--jwt-ttl', '0'])).toBe('--jwt-ttl must be at least 1, got "0"');
    expect(await refused(['--jwt-ttl', '1.5'])).toBe('--jwt-ttl must be a non-negative integer, got "1.5"');
    expect(await refused(['--jwt-ttl', 'NaN'])).toBe('--jwt-ttl must be a non-negative integer, got "NaN"');
    expect(await refused(['--jwt-ttl', '99999999999999999999'])).toMatch(/^--jwt-ttl must be at most /);
    expect(await refused(['--jwt-ttl=-1'])).toBe('--jwt-ttl must be a non-negative integer, got "-1"');
    expect(await refused(['--dynamic-flag', 'refresh_interval_sec=0'])).toBe(
      'flag refresh_interval_sec must be an integer of at least 1, got 0',
    );
    expect(await refused(['--flag', 'fwdbwd_max_chunk_len=0'])).toBe(
      'flag fwdbwd_max_chunk_len must be an integer of at least 1, got 0',
    );
    expect(await refused(['--flag', 'sample_max_concurrent_requests=1.5'])).toBe(
      'flag sample_max_concurrent_requests must be an integer of at least 1, got "1.5"',
    );
    // The model's seed is 32 bits: a larger one would silently be another seed.
    expect(await refused(['--seed', '4294967296'])).toBe(
      '--seed must be at most 4294967295, got "4294967296"',
    );
    expect([signals.listenerCount('SIGINT'), signals.listenerCount('SIGTERM')]).toEqual([0, 0]);
  });

  it('bad option values throw before anything listens, leaving no signal handler', async () => {
    const signals = new EventEmitter();
    for (const args of [
      ['--port', 'x'],
      ['--chaos', '5xx=2'],
    ]) {
      const error = await runEmulatorCli(args, new PassThrough(), signals).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EmulatorUsageError);
    }
    await expect(runEmulatorCli(['--port', 'x'], new PassThrough(), signals)).rejects.toThrow(
      '--port must be a non-negative integer, got "x"',
    );
    expect([signals.listenerCount('SIGINT'), signals.listenerCount('SIGTERM')]).toEqual([0, 0]);
  });
});
