import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiKeyHeaderAuth } from '../../src/adapters/auth/api-key-header.js';
import { PristineError } from '../../src/kernel/errors/pristine-error.js';
import { ValidationError } from '../../src/kernel/errors/validation-error.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { json, scriptedServer } from '../support/scripted-server.js';

/** A client holding two credentials for the same endpoints: each call may name the one it uses. */
describe('per-call auth scheme', () => {
  let server: Awaited<ReturnType<typeof scriptedServer>>;
  beforeAll(async () => {
    server = await scriptedServer((_req, res) => json(res, 200, {}));
  });
  afterAll(() => server.close());

  const kernel = () =>
    createKernel().use(
      definePlugin({
        name: 'two-keys',
        version: '1',
        defaults: { baseUrl: server.url, maxRetries: 0, breaker: false },
        auth: { default: new ApiKeyHeaderAuth('key-default'), other: new ApiKeyHeaderAuth('key-other') },
        manifest: {
          name: 'two-keys',
          version: '1',
          endpoints: [{ id: 'ping', method: 'POST', path: '/ping' }],
        },
      }),
    );

  it('uses the named scheme for that call only, the endpoint’s otherwise', async () => {
    const k = kernel();
    const before = server.seen.length;
    await k.executeById('ping', {}, { auth: 'other' });
    await k.executeById('ping', {});
    expect(server.seen.slice(before).map((s) => s.headers['x-api-key'])).toEqual([
      'key-other',
      'key-default',
    ]);
    await k.close();
  });

  it('an unknown or empty scheme name fails before anything is sent', async () => {
    const k = kernel();
    const before = server.seen.length;
    await expect(k.executeById('ping', {}, { auth: 'missing' })).rejects.toBeInstanceOf(PristineError);
    await expect(k.executeById('ping', {}, { auth: '' })).rejects.toBeInstanceOf(ValidationError);
    expect(server.seen.length).toBe(before);
    await k.close();
  });

  it('takes a scheme object for one call (a token passed for one operation), as a secret', async () => {
    const k = kernel();
    const before = server.seen.length;
    const token = 'key-of-one-call-0123456789';
    await k.executeById('ping', {}, { auth: new ApiKeyHeaderAuth(token) });
    await k.executeById('ping', {});
    expect(server.seen.slice(before).map((s) => s.headers['x-api-key'])).toEqual([token, 'key-default']);
    // The header value the scheme wrote is scrubbed like the plugin's own keys.
    expect(k.secrets.scrub(`echo ${token}`)).not.toContain(token);
    // Something that is not a scheme fails by name before anything is sent.
    const notAScheme = { apply: 'x' } as never;
    await expect(k.executeById('ping', {}, { auth: notAScheme })).rejects.toBeInstanceOf(ValidationError);
    expect(server.seen.length).toBe(before + 2);
    await k.close();
  });

  it('never sends a per-call scheme object to another origin', async () => {
    const other = await scriptedServer((_req, res) => json(res, 200, {}));
    try {
      const k = kernel();
      await k.executeById('ping', {}, { auth: new ApiKeyHeaderAuth('key-of-one-call'), baseUrl: other.url });
      expect(other.seen.at(-1)!.headers['x-api-key']).toBeUndefined();
      await k.close();
    } finally {
      await other.close();
    }
  });
});
