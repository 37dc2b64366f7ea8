import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { closedPort } from '../../../../test/support/closed-port.js';
import { buildCli, runCli } from '../support/cli/run-cli.js';

const PASSWORD = 'pr0xy-s3cret-pw';

/**
 * A proxy that refuses or is down, through the spawned CLI. Found by hand with
 * `HTTP_PROXY=http://bob:…@127.0.0.1:1 tinkex run list`: the CLI said "Connection failed. Could not
 * connect to the Tinker API. Check --base-url / TINKER_BASE_URL and your network.", sending the user
 * to a base URL that was fine; the proxy, named only in the details, was the fault.
 */
describe('tinkex through a failing proxy (spawned CLI)', () => {
  let refusing: Server;
  let refusingUrl: string;
  let apiUrl: string;

  beforeAll(async () => {
    // Answers every CONNECT (or request) with 407: its credentials are wrong.
    refusing = createServer((socket) => {
      socket.once('data', () =>
        socket.end('HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n'),
      );
      socket.on('error', () => {});
    });
    await Promise.all([new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve)), buildCli()]);
    refusingUrl = `http://127.0.0.1:${(refusing.address() as { port: number }).port}`;
    apiUrl = `http://127.0.0.1:${await closedPort()}`; // never reached: the proxy fails first
  }, 300_000);
  afterAll(() => new Promise<void>((resolve) => refusing.close(() => resolve())));

  const cli = (proxy: string) =>
    runCli(['run', 'list', '--max-retries', '0'], {
      cwd: tmpdir(),
      env: {
        TINKER_BASE_URL: apiUrl,
        TINKER_API_KEY: 'tml-proxy-test',
        HTTP_PROXY: proxy.replace('//', `//bob:${PASSWORD}@`),
      },
    });

  it('a 407 says the proxy refused its credentials, not to check the base URL', async () => {
    const result = await cli(refusingUrl);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Error: Proxy authentication failed \(HTTP 407\)\n/);
    expect(result.stderr).toContain('Check the user and password in the proxy URL (HTTP_PROXY)');
    expect(result.stderr).not.toContain('--base-url');
    expect(result.stderr).not.toContain(PASSWORD);
  }, 60_000);

  it('a proxy that is down is named as the problem', async () => {
    const down = `http://127.0.0.1:${await closedPort()}`;
    const result = await cli(down);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Error: Connection failed: the proxy could not be reached\n/);
    expect(result.stderr).toContain('Check the proxy setting (HTTP_PROXY');
    expect(result.stderr).toContain(`via ${down}`); // the details name it, without its credentials
    expect(result.stderr).not.toContain('--base-url');
    expect(result.stderr).not.toContain(PASSWORD);
  }, 60_000);
});
