import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { FakeClock } from '../../../src/adapters/clock/fake-clock.js';
import { CaptureLogger } from '../../../src/adapters/logger/capture-logger.js';
import { MemoryTransport } from '../../../src/adapters/transport/memory-transport.js';
import { createKernel } from '../../../src/defaults/kernel.js';
import { CircuitOpenError } from '../../../src/kernel/errors/api-errors.js';
import type { KernelOptions } from '../../../src/kernel/kernel-options.js';
import { definePlugin } from '../../../src/kernel/plugin.js';
import { redactUrl } from '../../../src/kernel/redact.js';
import { Ports } from '../../../src/ports/index.js';
import { useInspectedRedis } from '../../support/inspected-redis.js';
import { describeRedis } from '../../support/redis-server.js';

/**
 * A user whose calls fail fast with CircuitOpenError must find one line saying why the breaker opened
 * (which one, the rule, the last error's kind), and one when it closes again: not one per rejected call.
 */

const BODY_SECRET = 'sk-in-the-error-body-0001';

function breakerKernel(options: KernelOptions = {}, baseUrl = 'http://svc.test') {
  let failing = true;
  const clock = new FakeClock();
  const logger = new CaptureLogger();
  const kernel = createKernel({ logLevel: 'off', ...options }).use(
    definePlugin({
      name: 'svc',
      version: '1',
      defaults: { baseUrl, maxRetries: 0 },
      breakers: { jobs: { consecutiveFailures: 3, halfOpenAfterMs: 1000 } },
      manifest: {
        name: 'svc',
        version: '1',
        endpoints: [{ id: 'work', method: 'POST', path: '/work', resource: 'jobs', input: Type.Object({}) }],
      },
    }),
  );
  kernel.register(Ports.Clock, clock);
  kernel.register(Ports.Logger, logger);
  kernel.register(
    Ports.Transport,
    new MemoryTransport(async () => ({
      status: failing ? 503 : 200,
      headers: { 'content-type': 'application/json' },
      body: failing ? JSON.stringify({ message: BODY_SECRET }) : '{}',
    })),
  );
  const keys: string[] = [];
  kernel.events.on('breaker:state', (change) => keys.push(change.key));
  return { kernel, clock, logger, keys, recover: () => (failing = false) };
}

const aboutBreakers = (logger: CaptureLogger) =>
  logger.records.filter((record) => record.message.startsWith('Circuit breaker'));

/** Three failures open it: one `warn` for them and the five calls it rejects after. */
async function opens({ kernel, logger, keys }: ReturnType<typeof breakerKernel>): Promise<void> {
  for (let i = 0; i < 3; i++) await expect(kernel.call('work', {})).rejects.toThrow();
  for (let i = 0; i < 5; i++) await expect(kernel.call('work', {})).rejects.toBeInstanceOf(CircuitOpenError);
  const opened = aboutBreakers(logger);
  expect(opened.map((record) => record.level)).toEqual(['warn']);
  expect(opened[0]?.fields).toMatchObject({
    breaker: redactUrl(keys[0]!),
    from: 'closed',
    trippedBy: '3 consecutive failures',
    lastError: 'InternalServerError 503',
  });
  expect(logger.text()).not.toContain(BODY_SECRET);
}

async function opensAndCloses(made: ReturnType<typeof breakerKernel>): Promise<void> {
  const { kernel, clock, logger, keys } = made;
  await opens(made);
  made.recover();
  await clock.advance(1000);
  await expect(kernel.call('work', {})).resolves.toEqual({});
  await expect(kernel.call('work', {})).resolves.toEqual({});
  const after = aboutBreakers(logger).slice(1);
  expect(after.map((record) => `${record.level} ${String(record.fields?.from)}`)).toEqual([
    'debug open',
    'info half-open',
  ]);
  expect(after[1]?.fields).toMatchObject({ breaker: redactUrl(keys[0]!) });
}

describe('circuit breaker state changes in the log', () => {
  it('warns once when a breaker opens, says why, and tells when it closes again', async () => {
    const made = breakerKernel();
    await opensAndCloses(made);
    await made.kernel.close();
  });

  it('names a breaker whose base URL carries credentials without them', async () => {
    const made = breakerKernel({}, 'http://svc-user:hunter2-password@svc.test');
    await opens(made);
    const failedFast: unknown = await made.kernel.call('work', {}).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failedFast).toBeInstanceOf(CircuitOpenError);
    const { message, stack } = failedFast as CircuitOpenError;
    expect(`${message} ${stack}`).not.toContain('hunter2-password');
    made.recover();
    await made.clock.advance(1000);
    await made.kernel.call('work', {});
    expect(aboutBreakers(made.logger).map((record) => record.fields?.breaker)).toContain(
      'http://***:***@svc.test#jobs',
    );
    expect(made.logger.text()).not.toContain('hunter2-password');
    await made.kernel.close();
  });
});

/** The fleet's breaker (its open time is kept by Redis, so only the opening is checked here). */
describeRedis('a shared circuit breaker opening, in the log', () => {
  const redis = useInspectedRedis();

  it('keeps the credentials of a base URL out of the keys it writes to Redis', async () => {
    const keyPrefix = `breaker-log-${randomUUID()}:`;
    const made = breakerKernel(
      { shared: { redis: redis.url, keyPrefix } },
      'http://u:hunter2-password@svc.test',
    );
    try {
      await opens(made);
      const keys = await redis.inspector.keys(`${keyPrefix}*`);
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.join(' ')).not.toContain('hunter2-password');
    } finally {
      await made.kernel.close();
    }
  });

  it('warns once, with the rule and the last error, when this process sees it open', async () => {
    const made = breakerKernel({ shared: { redis: redis.url, keyPrefix: `breaker-log-${randomUUID()}:` } });
    try {
      await opens(made);
    } finally {
      await made.kernel.close();
    }
  });
});
