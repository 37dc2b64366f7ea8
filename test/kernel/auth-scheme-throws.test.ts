import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import { APIConnectionError } from '../../src/kernel/errors/api-errors.js';
import { AuthSchemeError } from '../../src/kernel/errors/plugin-errors.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import type { AuthScheme } from '../../src/ports/auth.js';
import { json, scriptedServer } from '../support/scripted-server.js';

const KEY = 'sk-team-key-0123456789';

/**
 * A plugin's token source that fails for good (revoked refresh token, missing key file). Its throw can
 * never succeed on another attempt: the caller gets a typed auth error with the cause, at once, and no
 * request leaves.
 */
function failingScheme(kind: 'sync' | 'async'): AuthScheme & { applies: number } {
  const fail = () => new Error(`token source refused refresh token ${KEY}`);
  return {
    name: 'vault',
    secretHeaders: ['authorization'],
    secretValues: () => [KEY],
    identity: () => 'vault',
    applies: 0,
    apply() {
      this.applies++;
      if (kind === 'sync') throw fail();
      return Promise.reject(fail());
    },
  };
}

describe('an auth scheme whose apply throws', () => {
  let server: Awaited<ReturnType<typeof scriptedServer>>;
  beforeAll(async () => {
    server = await scriptedServer((_req, res) => json(res, 200, {}));
  });
  afterAll(() => server.close());

  it.each(['sync', 'async'] as const)(
    '(%s) fails once with AuthSchemeError, cause kept, key masked',
    async (kind) => {
      const scheme = failingScheme(kind);
      const kernel = createKernel().use(
        definePlugin({
          name: 'vaulted',
          version: '1',
          defaults: { baseUrl: server.url, maxRetries: 3 },
          auth: { default: scheme },
          manifest: {
            name: 'vaulted',
            version: '1',
            endpoints: [{ id: 'ping', method: 'GET', path: '/ping' }],
          },
        }),
      );
      const before = server.seen.length;
      const error = await kernel.call('ping', {}).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AuthSchemeError);
      // Not a connection error: a poller, a resuming stream or a caller's own retry loop would retry that.
      expect(error).not.toBeInstanceOf(APIConnectionError);
      const auth = error as AuthSchemeError;
      expect(auth.retryable).toBe(false);
      expect(auth.message).toMatch(
        /^Authentication failed before "ping" was sent: auth scheme "vault" threw/,
      );
      expect((auth.cause as Error).message).toMatch(/token source refused refresh token/);
      expect(scheme.applies).toBe(1);
      expect(server.seen.length).toBe(before);
      const shown = `${auth.message} ${inspect(auth, { depth: 5 })} ${JSON.stringify(auth)}`;
      expect(shown).toContain('token source refused');
      expect(shown).not.toContain(KEY);
      await kernel.close();
    },
  );
});
