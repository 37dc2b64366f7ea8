import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Type } from '@sinclair/typebox';
import { FakeClock } from '../../src/adapters/clock/fake-clock.js';
import { CaptureLogger } from '../../src/adapters/logger/capture-logger.js';
import { UndiciTransport } from '../../src/adapters/transport/undici-transport.js';
import { APIUserAbortError } from '../../src/kernel/errors/api-errors.js';
import { SharedStateUnavailableError } from '../../src/kernel/errors/shared-state-unavailable.js';
import { createKernel } from '../../src/defaults/kernel.js';
import type { KernelOptions } from '../../src/kernel/kernel-options.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { Ports } from '../../src/ports/index.js';
import type { Clock } from '../../src/ports/clock.js';
import type { RateLimiter } from '../../src/ports/rate-limiter.js';
import { RedisServer, describeRedis } from '../support/redis-server.js';

/** `createKernel({ shared: { redis } })` end to end: a real redis-server (with a password) and HTTP server. */

const PASSWORD = 'hunter2-redis-secret';
let server: http.Server;
let baseUrl = '';
let received = 0;
/** The next responses' statuses (default 200). */
const script: number[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    received++;
    const status = script.shift() ?? 200;
    res.writeHead(status, { 'content-type': 'application/json', 'retry-after-ms': '400' }).end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** A manual clock that tells when the first sleep starts and records every sleep's length. */
class WatchedClock extends FakeClock {
  readonly sleeps: number[] = [];
  private slept!: () => void;
  readonly firstSleep = new Promise<void>((resolve) => (this.slept = resolve));

  override sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    this.slept();
    return super.sleep(ms, signal);
  }
}

function kernelWith(shared: KernelOptions['shared'], clock?: Clock) {
  const kernel = createKernel({ shared }).use(
    definePlugin({
      name: 'svc',
      version: '1',
      defaults: { baseUrl, maxRetries: 0 },
      concurrency: { things: { maxConcurrent: 4 } },
      manifest: {
        name: 'svc',
        version: '1',
        endpoints: [
          { id: 'get', method: 'POST', path: '/thing', resource: 'things', input: Type.Object({}) },
        ],
      },
    }),
  );
  const logger = new CaptureLogger({ secrets: kernel.secrets });
  kernel.register(Ports.Logger, logger);
  kernel.register(Ports.Transport, new UndiciTransport());
  if (clock) kernel.register(Ports.Clock, clock);
  return { kernel, logger };
}

describeRedis('createKernel({ shared: { redis } })', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await RedisServer.start({ password: PASSWORD });
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it("shares a 429's window between kernels (processes) of one fleet", async () => {
    const keyPrefix = `k-${randomUUID()}:`;
    const one = kernelWith({ redis: redis.url, keyPrefix });
    const clock = new WatchedClock();
    const other = kernelWith({ redis: redis.url, keyPrefix }, clock);
    try {
      await Promise.all([one.kernel.call('get', {}), other.kernel.call('get', {})]);
      script.push(429);
      await expect(one.kernel.call('get', {})).rejects.toMatchObject({ status: 429 });
      // One more round trip on `one`'s connection: Redis has applied its 429 window once this returns.
      await one.kernel.resolve<RateLimiter>(Ports.RateLimiter).acquire('another-bucket');
      const before = received;
      const controller = new AbortController();
      const held = other.kernel.call('get', {}, { signal: controller.signal });
      const outcome = await Promise.race([
        clock.firstSleep.then(() => 'held back'),
        held.then(
          () => 'sent',
          () => 'failed',
        ),
      ]);
      expect(outcome).toBe('held back');
      // Held back by the other's 429 (retry-after-ms: 400), on its own clock, with nothing sent.
      expect(clock.sleeps[0]).toBeGreaterThan(0);
      expect(clock.sleeps[0]).toBeLessThanOrEqual(400);
      expect(received).toBe(before);
      controller.abort();
      await expect(held).rejects.toBeInstanceOf(APIUserAbortError);
      expect(received).toBe(before);
    } finally {
      await Promise.all([one.kernel.close(), other.kernel.close()]);
    }
  });

  it('falls back to in-process limits while Redis is down, logs that once (no password), and recovers', async () => {
    const { kernel, logger } = kernelWith({ redis: redis.url, keyPrefix: `k-${randomUUID()}:` });
    try {
      await kernel.call('get', {});
      await redis.halt();
      for (let i = 0; i < 3; i++) await kernel.call('get', {});
      await redis.resume();
      // Reconnecting takes at most a second (the retry strategy's cap); calls go on meanwhile, each a
      // real round trip, so this loop needs no pause of its own (the test's timeout bounds it).
      while (!logger.records.some((r) => r.message.includes('reachable again'))) {
        await kernel.call('get', {});
      }
      const messages = logger.records.map((r) => `${r.level} ${r.message}`);
      expect(messages.filter((m) => m.includes('Redis unreachable'))).toEqual([
        'warn Redis unreachable: fleet-wide limits fall back to in-process ones until it returns',
      ]);
      expect(messages.filter((m) => m.includes('reachable again'))).toHaveLength(1);
      // The reason names what happened to Redis, not the ioredis options behind the fast failure
      // ("Reached the max retries per request limit (which is 0). Refer to "maxRetriesPerRequest"…).
      const outage = logger.records.find((r) => r.message.includes('Redis unreachable'));
      expect(String(outage?.fields?.error)).toMatch(/^connection lost|^connect |ECONNREFUSED|closed/);
      expect(String(outage?.fields?.error)).not.toMatch(/maxRetriesPerRequest|enableOfflineQueue/);
      expect(JSON.stringify(logger.records)).not.toContain(PASSWORD);
    } finally {
      await kernel.close();
    }
  });

  /** The records of `logger` about Redis refusing access: one error-level line, the fix in it. */
  const refusals = (logger: CaptureLogger) =>
    logger.records.filter((r) => r.message.startsWith('Redis refused access'));

  // Round 33: a wrong password was logged as an outage, "until it returns": it never returns by itself.
  it('logs a refused password once as a configuration error (not an outage), falls back, no password', async () => {
    const wrong = 'not-the-password-3141';
    const url = redis.url.replace(PASSWORD, wrong);
    const { kernel, logger } = kernelWith({ redis: url, keyPrefix: `k-${randomUUID()}:` });
    try {
      const before = received;
      await kernel.call('get', {});
      await kernel.call('get', {});
      expect(received).toBe(before + 2); // the in-process limits let them through ('local')
      expect(logger.records.filter((r) => r.message.includes('unreachable'))).toEqual([]);
      const [line, ...more] = refusals(logger);
      expect(more).toEqual([]);
      expect(line?.level).toBe('error');
      expect(line?.message).toBe(
        'Redis refused access (WRONGPASS), a configuration error, not an outage: fleet-wide limits fall ' +
          'back to in-process ones until it is fixed; check the Redis credentials',
      );
      expect(String(line?.fields.error)).toMatch(/^Redis refused access \(WRONGPASS invalid/);
      expect(JSON.stringify(logger.records) + inspect(kernel, { depth: 8 })).not.toContain(wrong);
    } finally {
      await kernel.close();
    }
  });

  it('names NOAUTH when shared.redis gives no password to a Redis that requires one', async () => {
    const { kernel, logger } = kernelWith({
      redis: redis.url.replace(`:${PASSWORD}@`, ''),
      keyPrefix: `k-${randomUUID()}:`,
    });
    try {
      await kernel.call('get', {});
      expect(refusals(logger).map((r) => `${r.level} ${r.message.split(',')[0]}`)).toEqual([
        'error Redis refused access (NOAUTH)',
      ]);
    } finally {
      await kernel.close();
    }
  });

  it("a user without the rights (ACL NOPERM) is a configuration error too, not the caller's failure", async () => {
    const { Redis } = await import('ioredis');
    const admin = new Redis(redis.url);
    const user = `limited-${randomUUID()}`;
    await admin.acl('SETUSER', user, 'on', '>user-secret-9', '~*', '&*', '+@all', '-evalsha', '-eval');
    const { kernel, logger } = kernelWith({
      redis: redis.url.replace(`:${PASSWORD}@`, `${user}:user-secret-9@`),
      keyPrefix: `k-${randomUUID()}:`,
    });
    try {
      // Before, the ReplyError of NOPERM failed the call itself, as a bug of ours would.
      await kernel.call('get', {});
      expect(refusals(logger).map((r) => `${r.level} ${r.message.split(',')[0]}`)).toEqual([
        'error Redis refused access (NOPERM)',
      ]);
      expect(String(refusals(logger)[0]?.fields.error)).toMatch(/check the Redis credentials/);
      expect(JSON.stringify(logger.records)).not.toContain('user-secret-9');
    } finally {
      await kernel.close();
      await admin.quit();
    }
  });

  // Found by hand (round 27): the error said only "Connection is closed." (its cause), where the log
  // said why; a caller seeing the error alone could not tell a wrong password from an outage. Round 33:
  // no retry can help, so the error is not retryable (it was, and every call waited out its retries).
  it('fails closed on a refused password at once, with an error that says why and the fix, no password', async () => {
    const wrong = 'not-the-password-2718';
    const url = redis.url.replace(PASSWORD, wrong);
    const { kernel, logger } = kernelWith({
      redis: url,
      keyPrefix: `k-${randomUUID()}:`,
      onUnavailable: 'reject',
    });
    try {
      const error = await kernel.call('get', {}, { maxRetries: 3 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SharedStateUnavailableError);
      expect(error).toMatchObject({ retryable: false, category: 'user' });
      expect((error as Error).message).toMatch(
        /^Shared .* unavailable: Redis refused access \(WRONGPASS .*\): check the Redis credentials/,
      );
      expect(((error as Error).cause as Error).message).toMatch(/WRONGPASS/);
      expect(refusals(logger).map((r) => r.message)).toEqual([
        'Redis refused access (WRONGPASS), a configuration error, not an outage: calls needing ' +
          'fleet-wide limits fail until it is fixed; check the Redis credentials',
      ]);
      for (const shown of [
        inspect(error, { depth: 10 }),
        JSON.stringify(error),
        String((error as Error).stack),
        JSON.stringify(logger.records),
      ]) {
        expect(shown).not.toContain(wrong);
      }
    } finally {
      await kernel.close();
    }
  });

  // Round 36: a database the server does not have (`/99` on a default 16-database server) failed
  // ioredis's SELECT silently and every command ran on database 0, shared with whatever else uses it.
  describe('a database the server does not have (/99 of 16)', () => {
    const missing = () => `${redis.url}/99`;
    const databaseLines = (logger: CaptureLogger) =>
      logger.records.filter((r) => r.message.startsWith('Redis has no database'));

    it("'local' falls back, says so once (no password) and writes nothing to database 0", async () => {
      const keyPrefix = `k-${randomUUID()}:`;
      const { kernel, logger } = kernelWith({ redis: missing(), keyPrefix });
      const { Redis } = await import('ioredis');
      const admin = new Redis(redis.url);
      try {
        const before = received;
        script.push(429); // a 429 writes the shared window: the one thing that surely reaches Redis
        await kernel.call('get', {}).catch(() => {});
        await kernel.call('get', {});
        expect(received).toBe(before + 2); // the in-process limits let them through ('local')
        expect(await admin.keys(`${keyPrefix}*`)).toEqual([]);
        const [line, ...more] = databaseLines(logger);
        expect(more).toEqual([]);
        expect(`${line?.level} ${line?.message}`).toBe(
          'error Redis has no database 99, a configuration error, not an outage: fleet-wide limits fall ' +
            'back to in-process ones until it is fixed; name a database the server has in shared.redis',
        );
        expect(String(line?.fields.error)).toMatch(/DB index is out of range/);
        expect(logger.records.filter((r) => r.message.includes('unreachable'))).toEqual([]);
        expect(JSON.stringify(logger.records) + inspect(kernel, { depth: 8 })).not.toContain(PASSWORD);
      } finally {
        await kernel.close();
        await admin.quit();
      }
    });

    it("'reject' refuses the call at once, not retryable, naming the database and the fix", async () => {
      const { kernel } = kernelWith({
        redis: missing(),
        keyPrefix: `k-${randomUUID()}:`,
        onUnavailable: 'reject',
      });
      try {
        const before = received;
        const error = await kernel.call('get', {}, { maxRetries: 3 }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(SharedStateUnavailableError);
        expect(error).toMatchObject({ retryable: false, category: 'user' });
        expect((error as Error).message).toMatch(
          /^Shared .* unavailable: Redis has no database 99 \(ERR DB index is out of range\): name a database the server has in shared\.redis/,
        );
        expect(received).toBe(before);
        expect(inspect(error, { depth: 10 }) + String((error as Error).stack)).not.toContain(PASSWORD);
      } finally {
        await kernel.close();
      }
    });
  });

  it('rejects a URL that is not redis:// at once, without echoing it', () => {
    expect(() => createKernel({ shared: { redis: `http://user:${PASSWORD}@example.com` } })).toThrow(
      /redis:\/\/ or rediss:\/\//,
    );
  });

  it('runs the snippet of docs/architecture.md "Running a fleet" as written', async () => {
    const doc = readFileSync(new URL('../../docs/architecture.md', import.meta.url), 'utf8');
    const block = /## Running a fleet[\s\S]*?```ts\n([\s\S]*?)```/.exec(doc)![1];
    const body = block.replace(/^import .*\n/m, '');
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
      ...args: string[]
    ) => (...values: unknown[]) => Promise<void>;
    const saved = process.env.REDIS_URL;
    process.env.REDIS_URL = redis.url;
    try {
      await new AsyncFunction('createKernel', body)(createKernel);
    } finally {
      if (saved === undefined) delete process.env.REDIS_URL;
      else process.env.REDIS_URL = saved;
    }
  });
});
