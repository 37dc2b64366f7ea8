import { afterEach, describe, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { createKernel } from '../../../src/defaults/kernel.js';
import {
  APIConnectionError,
  APITimeoutError,
  InternalServerError,
  NotFoundError,
  ProxyError,
  RateLimitError,
} from '../../../src/kernel/errors/api-errors.js';
import {
  attemptMayHaveApplied,
  errorAfterMaybeAppliedAttempt,
} from '../../../src/kernel/pipeline/may-have-applied.js';
import { definePlugin } from '../../../src/kernel/plugin.js';
import { json, scriptedServer, type Seen } from '../../support/scripted-server.js';
import type http from 'node:http';

/**
 * The kernel's mark on a call's error: an earlier attempt of this call may have been applied. A retried
 * DELETE that meets 404 is then most likely meeting its own work; a client may call that done.
 */
const withCode = (code: string) => Object.assign(new Error(code), { code });

describe('attemptMayHaveApplied', () => {
  it.each([
    ['a 500', new InternalServerError('x', { status: 500 }), true],
    ['a 503', new InternalServerError('x', { status: 503 }), true],
    ['a 429 (refused before it ran)', new RateLimitError('x', { status: 429 }), false],
    ['a reset connection', new APIConnectionError('x', { cause: withCode('ECONNRESET') }), true],
    ['a socket the server closed', new APIConnectionError('x', { cause: withCode('UND_ERR_SOCKET') }), true],
    [
      'a timeout waiting for the answer',
      new APITimeoutError('x', { cause: withCode('UND_ERR_HEADERS_TIMEOUT') }),
      true,
    ],
    ['a refused connection', new APIConnectionError('x', { cause: withCode('ECONNREFUSED') }), false],
    ['an unknown host', new APIConnectionError('x', { cause: withCode('ENOTFOUND') }), false],
    ['a connect timeout', new APITimeoutError('x', { cause: withCode('UND_ERR_CONNECT_TIMEOUT') }), false],
    ['a proxy refusing the tunnel', new ProxyError('x', 502), false],
    ['a request Node refused to build', new APIConnectionError('x', { retryable: false }), false],
    ['not a kernel error', new Error('x'), false],
  ])('%s', (_what, error, expected) => {
    expect(attemptMayHaveApplied(error)).toBe(expected);
  });
});

let closeAll: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closeAll.map((c) => c()));
  closeAll = [];
});

/** A kernel with a DELETE endpoint on a real loopback server whose answers `route` scripts. */
async function deleting(route: (seen: Seen, res: http.ServerResponse, n: number) => void) {
  let n = 0;
  const server = await scriptedServer((seen, res) => route(seen, res, n++));
  closeAll.push(server.close);
  const kernel = createKernel({ logLevel: 'off' }).use(
    definePlugin({
      name: 'files',
      version: '1',
      defaults: { baseUrl: server.url, breaker: false, maxRetries: 2 },
      retryPolicies: { default: { initialDelayMs: 1, maxDelayMs: 1 } },
      manifest: {
        name: 'files',
        version: '1',
        endpoints: [
          {
            id: 'remove',
            method: 'DELETE' as const,
            path: '/files/{id}',
            input: Type.Object({ id: Type.String() }),
          },
        ],
      },
    }),
  );
  closeAll.push(() => kernel.close());
  return { kernel, server };
}

describe('errorAfterMaybeAppliedAttempt on a real server', () => {
  it('marks a 404 that came after an attempt whose connection broke once the request was in', async () => {
    const { kernel, server } = await deleting((_seen, res, n) => {
      if (n === 0)
        res.socket?.destroy(); // applied, the answer lost
      else json(res, 404, { detail: 'no such file' });
    });
    const error = await kernel.call('remove', { id: 'a' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(errorAfterMaybeAppliedAttempt(error)).toBe(true);
    expect(server.seen).toHaveLength(2);
  });

  it('marks a 404 after a 5xx', async () => {
    const { kernel } = await deleting((_seen, res, n) =>
      n === 0 ? json(res, 502, { detail: 'bad gateway' }) : json(res, 404, { detail: 'gone' }),
    );
    const error = await kernel.call('remove', { id: 'a' }).catch((e: unknown) => e);
    expect(errorAfterMaybeAppliedAttempt(error)).toBe(true);
  });

  it('does not mark a 404 on the first attempt, nor one after a 429', async () => {
    const first = await deleting((_seen, res) => json(res, 404, { detail: 'gone' }));
    const error = await first.kernel.call('remove', { id: 'a' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(errorAfterMaybeAppliedAttempt(error)).toBe(false);

    const limited = await deleting((_seen, res, n) =>
      n === 0
        ? json(res, 429, { detail: 'slow down' }, { 'retry-after': '0' })
        : json(res, 404, { detail: 'gone' }),
    );
    const after429 = await limited.kernel.call('remove', { id: 'a' }).catch((e: unknown) => e);
    expect(after429).toBeInstanceOf(NotFoundError);
    expect(errorAfterMaybeAppliedAttempt(after429)).toBe(false);
    expect(limited.server.seen).toHaveLength(2);
  });
});
