import { beforeAll, describe, expect, it } from '@jest/globals';
import { tmpdir } from 'node:os';
import { closedPort } from '../../../../test/support/closed-port.js';
import { buildCli, runCli, startCli } from '../support/cli/run-cli.js';

/**
 * What a person sees with a dead server or a mistyped URL, through the spawned CLI: by default (the
 * CLI logs at info, as lines for people) the first retry line names the reason and host:port before
 * the first backoff ends (so within about a second), Ctrl-C ends the wait with 130, and a URL without a
 * scheme fails at once.
 */
describe('tinkex against a dead server (spawned CLI)', () => {
  beforeAll(buildCli, 300_000);

  it('says why it waits by default, naming host:port, before the first backoff; Ctrl-C exits 130', async () => {
    const port = await closedPort();
    const { child, done } = startCli(['run', 'list'], {
      cwd: tmpdir(),
      env: {
        TINKER_API_KEY: 'tml-dead-server',
        TINKER_BASE_URL: `http://127.0.0.1:${port}`,
        TINKER_LOG: undefined, // the CLI's own default
      },
    });
    let stderr = '';
    const line = new Promise<string>((resolve) => {
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const first = stderr.split('\n').find((l) => l.includes('retrying'));
        if (first) resolve(first);
      });
    });
    // Hang guard only: the line comes before the first backoff (0.5 s), the guard is generous.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const guard = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('no line'), 20_000)));
    const first = await Promise.race([line, guard]);
    clearTimeout(timer);
    child.kill('SIGINT');
    const result = await done;
    expect(first).toMatch(
      new RegExp(
        `^tinkex: retrying \\w+ in \\d\\.\\d s after Connection error: \\w+ http://127\\.0\\.0\\.1:${port}/api/v1/[\\w/]+ ECONNREFUSED \\(retry 1 of 10\\)$`,
      ),
    );
    expect(result.code).toBe(130);
    expect(result.stderr).not.toContain('tml-dead-server');
  }, 60_000);

  it('quickstart against a deployment honours --max-retries too', async () => {
    const port = await closedPort();
    const result = await runCli(['quickstart', '--steps', '2', '--max-retries', '0'], {
      cwd: tmpdir(),
      env: {
        TINKER_API_KEY: 'tml-dead-server',
        TINKER_BASE_URL: `http://127.0.0.1:${port}`,
        TINKER_LOG: 'debug',
      },
    });
    // One attempt (the handshake), no retry: the default would retry it 10 times over about 55 s.
    const requests = result.stderr.split('\n').filter((line) => /^tinkex debug: request [A-Z]+ /.test(line));
    expect(requests).toHaveLength(1);
    expect(result.stderr).not.toContain('retrying');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Error: Connection failed/);
  }, 120_000);

  it('--max-retries 0 gives up after the first refused attempt, naming host:port', async () => {
    const port = await closedPort();
    const result = await runCli(['run', 'list', '--max-retries', '0'], {
      cwd: tmpdir(),
      env: {
        TINKER_API_KEY: 'tml-dead-server',
        TINKER_BASE_URL: `http://127.0.0.1:${port}`,
        TINKER_LOG: 'debug',
      },
    });
    const log = result.stderr.split('\n').filter((line) => line.startsWith('tinkex'));
    // TINKER_LOG=debug logs every attempt: one request (the handshake), no retry.
    const requests = log.filter((line) => /^tinkex debug: request [A-Z]+ /.test(line));
    expect(requests).toHaveLength(1);
    expect(JSON.parse(requests[0]!.slice(requests[0]!.indexOf('{')))).toMatchObject({
      attempt: 1,
      endpoint: 'get_client_config',
      headers: { 'x-api-key': '[REDACTED]' },
    });
    expect(log.filter((line) => line.includes('retrying'))).toEqual([]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `Error: Connection failed\\n[\\s\\S]*http://127\\.0\\.0\\.1:${port}/api/v1/[\\w/]+ ECONNREFUSED`,
      ),
    );
    expect(result.stderr).not.toContain('tml-dead-server');
  }, 60_000);

  it('a base URL without a scheme fails before anything is sent, naming the option', async () => {
    const [flag, env] = await Promise.all([
      runCli(['run', 'list', '--base-url', '127.0.0.1:8000'], {
        cwd: tmpdir(),
        env: { TINKER_API_KEY: 'tml-x' },
      }),
      runCli(['run', 'list'], {
        cwd: tmpdir(),
        env: { TINKER_API_KEY: 'tml-x', TINKER_BASE_URL: 'localhost:8000' },
      }),
    ]);
    // The flag is a usage error (exit 2, with the usage); the variable is named as a setting (exit 1).
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(
      /^Usage: tinkex run list .*\n.*\n\nError: --base-url must be an absolute http:\/\/ or https:\/\/ URL/,
    );
    expect(env.code).toBe(1);
    expect(env.stderr).toMatch(/^Error: TINKER_BASE_URL is not an API address\n/);
    expect(env.stderr).toMatch(/It must start with http:\/\/ or https:\/\/ \(it starts with "localhost:"\)/);
    expect(env.stderr).not.toMatch(/ServiceClient/);
    for (const r of [flag, env]) expect(r.stderr).not.toMatch(/retrying|\n\s+at /);
  }, 60_000);

  it('a missing or malformed API key fails before anything is sent, naming the setting, never the key', async () => {
    // Found by hand: these printed "Error: ValidationError: Invalid ServiceClient options: /api_key: is
    // required (pass api_key, …)", the library's wording, not the CLI's flag and variable.
    const base = { TINKER_BASE_URL: 'http://127.0.0.1:9' };
    const [flag, env, none] = await Promise.all([
      runCli(['run', 'list', '--api-key', 'sk-secret-flag'], { cwd: tmpdir(), env: base }),
      runCli(['run', 'list'], { cwd: tmpdir(), env: { ...base, TINKER_API_KEY: 'sk-secret-env' } }),
      runCli(['run', 'list'], {
        cwd: tmpdir(),
        env: { ...base, TINKER_API_KEY: '', TINKER_CREDENTIAL_CMD: undefined },
      }),
    ]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(
      /^Usage: tinkex run list .*\n.*\n\nError: --api-key must start with "tml-" \(an API key\) or "eyJ" \(a JWT\)/,
    );
    expect(env.code).toBe(1);
    expect(env.stderr).toMatch(/^Error: TINKER_API_KEY is not an API key\n/);
    expect(env.stderr).toMatch(/It must start with "tml-" \(an API key\) or "eyJ" \(a JWT\)/);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^Error: No API key\n/);
    expect(none.stderr).toMatch(/--api-key, TINKER_API_KEY or TINKER_CREDENTIAL_CMD/);
    for (const r of [flag, env, none]) {
      expect(r.stderr).not.toMatch(/ServiceClient|ValidationError|retrying|\n\s+at /);
      expect(r.stderr).not.toMatch(/sk-secret/);
    }
  }, 60_000);

  it('a key with a line break (read from a CRLF file) is named as the setting that holds it, not the library', async () => {
    // Found by hand (round 35): "Error: ValidationError: Invalid ServiceClient environment: /api_key:
    // contains a line break", exit 1 even for --api-key, after the prefix check let it through.
    const base = { TINKER_BASE_URL: 'http://127.0.0.1:9' };
    const [flag, env] = await Promise.all([
      runCli(['run', 'list', '--api-key', 'tml-secret-flag\r'], { cwd: tmpdir(), env: base }),
      runCli(['run', 'list'], { cwd: tmpdir(), env: { ...base, TINKER_API_KEY: 'tml-secret-env\n' } }),
    ]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(
      /^Usage: tinkex run list .*\n.*\n\nError: --api-key contains a line break \(CR or LF\)/,
    );
    expect(env.code).toBe(1);
    expect(env.stderr).toMatch(
      /^Error: TINKER_API_KEY is not an API key\nIt contains a line break \(CR or LF\)/,
    );
    for (const r of [flag, env]) {
      expect(r.stderr).not.toMatch(/ServiceClient|ValidationError|retrying|\n\s+at /);
      expect(r.stderr).not.toMatch(/secret/);
    }
  }, 60_000);
});
