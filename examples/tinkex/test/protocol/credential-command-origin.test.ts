import { describe, expect, it } from '@jest/globals';
import { closedPort } from '../../../../test/support/closed-port.js';
import { ServiceClient } from '../../src/client/service-client.js';
import { CredentialCommandError } from '../../src/protocol/credential.js';
import { ExpiredCredentialError } from '../../src/protocol/expired-credential.js';

/** A JWT whose `exp` (1 s after the epoch) has long passed; unsigned, as the client never checks one. */
const EXPIRED_JWT = [{ alg: 'none' }, { exp: 1 }, 'sig']
  .map((part) => (typeof part === 'string' ? part : Buffer.from(JSON.stringify(part)).toString('base64url')))
  .join('.');

/** The error of the first call of a client whose credential comes from `command`, set as `where`. */
async function failureOf(command: string, where: 'credential_cmd' | 'TINKER_CREDENTIAL_CMD'): Promise<Error> {
  const service = new ServiceClient({
    // Nothing listens: the command fails before anything is sent.
    base_url: `http://127.0.0.1:${await closedPort()}`,
    ...(where === 'credential_cmd'
      ? { credential_cmd: command, env: {} }
      : { env: { TINKER_CREDENTIAL_CMD: command } }),
    telemetry: false,
    log_level: 'off',
  });
  try {
    return (await service
      .createRestClient()
      .listTrainingRuns()
      .then(
        () => new Error('the call succeeded'),
        (e: unknown) => e,
      )) as Error;
  } finally {
    await service.close();
  }
}

/**
 * Round 38: a command given as the `credential_cmd` option failed with "TINKER_CREDENTIAL_CMD failed …",
 * sending its user to look for a variable they never set. Each message names the setting as the user
 * set it, and never what the command printed.
 */
describe('a credential command names where it was set', () => {
  it('the credential_cmd option: "credential_cmd failed", "printed nothing", "printed a JWT that expired"', async () => {
    const [failed, empty, expired] = await Promise.all([
      failureOf('echo tml-printed-secret >&2; exit 3', 'credential_cmd'),
      failureOf("printf ''", 'credential_cmd'),
      failureOf(`echo ${EXPIRED_JWT}`, 'credential_cmd'),
    ]);
    expect(failed).toBeInstanceOf(CredentialCommandError);
    expect(failed.message).toBe('credential_cmd failed (exit code 3)');
    expect(empty.message).toBe('credential_cmd printed nothing');
    expect(expired).toBeInstanceOf(ExpiredCredentialError);
    expect((expired as ExpiredCredentialError).source).toBe('credential_cmd');
    expect(expired.message).toMatch(
      /^credential_cmd printed a JWT that expired at 1970-01-01T00:00:01\.000Z/,
    );
    expect(JSON.stringify([failed, empty, expired].map((e) => e.message))).not.toMatch(/secret|eyJ/);
  });

  it('the TINKER_CREDENTIAL_CMD variable is named as before', async () => {
    const [failed, empty] = await Promise.all([
      failureOf('exit 3', 'TINKER_CREDENTIAL_CMD'),
      failureOf("printf ''", 'TINKER_CREDENTIAL_CMD'),
    ]);
    expect(failed.message).toBe('TINKER_CREDENTIAL_CMD failed (exit code 3)');
    expect(empty.message).toBe('TINKER_CREDENTIAL_CMD printed nothing');
  });
});
