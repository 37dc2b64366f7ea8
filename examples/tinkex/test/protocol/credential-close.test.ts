import { describe, expect, it } from '@jest/globals';
import { ClientClosedError } from 'pristine-kernel';
import { closedPort } from '../../../../test/support/closed-port.js';
import { ServiceClient } from '../../src/client/service-client.js';

/**
 * A credential command still running when the client closes is ended with it. Found in the hands-on
 * review: only the process's exit killed it, so a long-lived process that closed its client left an SSO
 * helper waiting for a login for up to its 60 s bound.
 */
describe('TINKER_CREDENTIAL_CMD and close()', () => {
  it('close() ends a command that is still running, and the call waiting on it fails at once', async () => {
    const service = new ServiceClient({
      base_url: `http://127.0.0.1:${await closedPort()}`,
      // A helper that never answers on its own: only its end settles the call within the test's timeout.
      credential_cmd: 'sleep 120; echo tml-never-printed',
      env: {},
      telemetry: false,
      log_level: 'off',
    });
    const call = service
      .createRestClient()
      .listTrainingRuns()
      .catch((e: unknown) => e);
    // The call is waiting for the command once the handshake asked for the credential.
    await new Promise((resolve) => setImmediate(resolve));
    await service.close();
    const failure = (await call) as Error;
    // Its client was closed; the caller aborted nothing.
    expect(failure).toBeInstanceOf(ClientClosedError);
    expect(failure.message).toBe('The client was closed: no request is sent after close().');
  });
});
