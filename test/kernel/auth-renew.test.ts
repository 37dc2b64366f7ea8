import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { CaptureLogger } from '../../src/adapters/logger/capture-logger.js';
import { AuthenticationError, PermissionDeniedError } from '../../src/kernel/errors/api-errors.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import type { AuthRefusal, AuthScheme } from '../../src/ports/auth.js';
import { Ports } from '../../src/ports/index.js';
import { RecordingClock } from '../support/recording-clock.js';
import { json, scriptedServer } from '../support/scripted-server.js';

/**
 * A short-lived token, as a plugin would write it: `renew` fetches a new one when the refused token is
 * still the current one (`renewable: false` stands for a static key, which renewing cannot help).
 */
class ShortLivedToken implements AuthScheme {
  readonly name = 'short-lived';
  readonly secretHeaders = ['x-token'] as const;
  token = 'tok-1';
  readonly refusals: AuthRefusal[] = [];

  constructor(private readonly renewable = true) {}

  apply(headers: Record<string, string>): void {
    headers['x-token'] = this.token;
  }

  identity(): string {
    return 'short-lived';
  }

  async renew(refused: AuthRefusal): Promise<boolean> {
    this.refusals.push(refused);
    if (!this.renewable) return false;
    if (refused.headers['x-token'] === this.token) this.token = `tok-${Number(this.token.slice(4)) + 1}`;
    return true;
  }
}

let accepted = new Set<string>();
let forbidden = false;
let server: Awaited<ReturnType<typeof scriptedServer>>;
beforeAll(async () => {
  server = await scriptedServer((req, res) => {
    if (forbidden) return json(res, 403, { detail: 'not yours' });
    const token = String(req.headers['x-token']);
    if (!accepted.has(token)) return json(res, 401, { detail: 'token expired' });
    json(res, 200, { ok: true, token });
  });
});
afterAll(() => server.close());

function kernelWith(auth: AuthScheme) {
  const plugin = definePlugin({
    name: 'renewing',
    version: '1',
    defaults: { baseUrl: server.url, maxRetries: 3, breaker: false },
    auth: { default: auth },
    manifest: {
      name: 'renewing',
      version: '1',
      endpoints: [{ id: 'work', method: 'POST', path: '/work', input: Type.Object({ n: Type.Integer() }) }],
    },
  });
  const logger = new CaptureLogger({ level: 'info' });
  const kernel = createKernel().use(plugin);
  kernel.register(Ports.Logger, logger).register(Ports.Clock, new RecordingClock());
  return { kernel, logger };
}

const tokensSent = (from: number) => server.seen.slice(from).map((s) => s.headers['x-token']);

describe('a refused credential the auth scheme can renew (AuthScheme.renew)', () => {
  it('is renewed and the request sent once more with the new one, also for a call without retries', async () => {
    forbidden = false;
    accepted = new Set(['tok-2']);
    const auth = new ShortLivedToken();
    const { kernel, logger } = kernelWith(auth);
    const from = server.seen.length;
    await expect(kernel.call('work', { n: 1 }, { maxRetries: 0 })).resolves.toEqual({
      ok: true,
      token: 'tok-2',
    });
    expect(tokensSent(from)).toEqual(['tok-1', 'tok-2']);
    expect(server.seen.slice(from).map((s) => s.body)).toEqual([{ n: 1 }, { n: 1 }]);
    expect(auth.refusals.map((r) => r.endpointId)).toEqual(['work']);
    expect(logger.at('info').map((r) => r.message)).toEqual([
      'the server refused the credential of work; sending it again with a renewed one',
    ]);
    await kernel.close();
  });

  it('is renewed at most once per call: a server refusing every credential is answered after two requests', async () => {
    forbidden = false;
    accepted = new Set();
    const auth = new ShortLivedToken();
    const { kernel } = kernelWith(auth);
    const from = server.seen.length;
    await expect(kernel.call('work', { n: 2 })).rejects.toBeInstanceOf(AuthenticationError);
    expect(tokensSent(from)).toEqual(['tok-1', 'tok-2']);
    expect(auth.refusals).toHaveLength(1);
    await kernel.close();
  });

  it('is not sent again when the scheme cannot renew it (a static key)', async () => {
    forbidden = false;
    accepted = new Set();
    const auth = new ShortLivedToken(false);
    const { kernel } = kernelWith(auth);
    const from = server.seen.length;
    await expect(kernel.call('work', { n: 3 })).rejects.toBeInstanceOf(AuthenticationError);
    expect(tokensSent(from)).toEqual(['tok-1']);
    expect(auth.refusals).toHaveLength(1);
    await kernel.close();
  });

  it('leaves other refusals alone: a 403 is not a credential to renew', async () => {
    forbidden = true;
    const auth = new ShortLivedToken();
    const { kernel } = kernelWith(auth);
    const from = server.seen.length;
    await expect(kernel.call('work', { n: 4 })).rejects.toBeInstanceOf(PermissionDeniedError);
    expect(server.seen.length - from).toBe(1);
    expect(auth.refusals).toEqual([]);
    await kernel.close();
  });

  it('renews once for many calls refused with the same token: the others reuse the renewed one', async () => {
    forbidden = false;
    accepted = new Set(['tok-2']);
    const auth = new ShortLivedToken();
    const { kernel } = kernelWith(auth);
    const results = await Promise.all(Array.from({ length: 20 }, (_, n) => kernel.call('work', { n })));
    expect(results.every((r) => (r as { token: string }).token === 'tok-2')).toBe(true);
    expect(auth.token).toBe('tok-2');
    await kernel.close();
  });
});
