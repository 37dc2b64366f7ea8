import { beforeAll, describe, expect, it } from '@jest/globals';
import { tmpdir } from 'node:os';
import { closedPort } from '../../../../test/support/closed-port.js';
import { buildCli, runCli } from '../support/cli/run-cli.js';

/** A JWT that expired in 2001 (the spawned CLI runs on the real clock); the signature is never read. */
const EXPIRED = ['{"alg":"HS256"}', JSON.stringify({ sub: 'u', exp: 1_000_000_000 }), 'sig']
  .map((part, i) => (i < 2 ? Buffer.from(part).toString('base64url') : part))
  .join('.');

/**
 * Found on review: `tinkex run list` with an expired `eyJ…` key sent the request and printed the generic
 * "Authentication failed (HTTP 401)". Now it says which setting holds the expired key and when it
 * expired, exits 1 and sends nothing (the debug log shows no request; the server's port is closed).
 */
describe('tinkex run list with an expired JWT (spawned CLI)', () => {
  beforeAll(buildCli, 300_000);

  it.each([
    [
      'TINKER_API_KEY',
      [],
      { TINKER_API_KEY: EXPIRED },
      'The API key in TINKER_API_KEY expired at 2001-09-09T01:46:40.000Z',
    ],
    ['--api-key', ['--api-key', EXPIRED], {}, 'The API key in --api-key expired at 2001-09-09T01:46:40.000Z'],
    [
      'TINKER_CREDENTIAL_CMD',
      [],
      { TINKER_CREDENTIAL_CMD: `echo ${EXPIRED}` },
      'The JWT TINKER_CREDENTIAL_CMD printed expired at 2001-09-09T01:46:40.000Z',
    ],
  ])(
    'from %s: exit 1, names it and the expiry, sends nothing',
    async (_name, flags, env, message) => {
      const port = await closedPort();
      const result = await runCli([...flags, 'run', 'list'], {
        cwd: tmpdir(),
        env: { ...env, TINKER_BASE_URL: `http://127.0.0.1:${port}`, TINKER_LOG: 'debug' },
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`Error: ${message}`);
      expect(result.stderr).not.toMatch(/request [A-Z]+ /);
      expect(result.stderr).not.toContain(EXPIRED);
    },
    60_000,
  );
});
