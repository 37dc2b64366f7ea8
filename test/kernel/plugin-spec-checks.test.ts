import { describe, expect, it } from '@jest/globals';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin, type PluginSpec } from '../../src/kernel/plugin.js';
import { thrown } from '../support/validation-errors.js';

/**
 * Found by hand, writing a plugin from docs/plugin-authoring.md: each of these plugin settings was
 * accepted at `kernel.use` and then ignored (a misspelt key: the author believes a limit or a retry
 * budget is set that is not), misread (`maxConcurrent: 0` ran every call at once) or failed inside a
 * call ("Semaphore capacity must be >= 0") long after registration.
 */
function register(settings: Record<string, unknown>) {
  const plugin = definePlugin({
    name: 'shop',
    version: '1',
    defaults: { baseUrl: 'http://127.0.0.1:9' },
    manifest: { name: 'shop', version: '1', endpoints: [{ id: 'buy', method: 'POST', path: '/buy' }] },
    ...settings,
  } as PluginSpec);
  return () => createKernel().use(plugin);
}

describe('plugin settings are checked at kernel.use', () => {
  it.each([
    [{ defualts: {} }, 'plugin "shop"', '/defualts', 'additionalProperties', 'did you mean "defaults"'],
    [{ defaults: { timeout: 100 } }, 'defaults', '/timeout', 'additionalProperties', '"timeoutMs"'],
    [
      { retryPolicies: { fast: { max_retries: 2 } } },
      'retry policies',
      '/fast/max_retries',
      'additionalProperties',
      '"maxRetries"',
    ],
    [{ retryPolicies: { fast: { maxRetries: 'x' } } }, 'retry policies', '/fast/maxRetries', 'integer', ''],
    [
      { retryPolicies: { fast: { fatalStatuses: [600] } } },
      'retry policies',
      '/fast/fatalStatuses/0',
      'status',
      '',
    ],
    [{ retryPolicies: { fast: { jitter: 2 } } }, 'retry policies', '/fast/jitter', 'maximum', ''],
    [
      { retryPolicies: { fast: { initialDelayMs: -1 } } },
      'retry policies',
      '/fast/initialDelayMs',
      'minimum',
      '',
    ],
    [{ retryPolicies: { fast: { logLevel: 'warn' } } }, 'retry policies', '/fast/logLevel', 'enum', ''],
    [{ retryPolicies: { fast: 3 } }, 'retry policies', '/fast', 'type', ''],
    [
      { concurrency: { orders: { maxConcurrent: 0 } } },
      'concurrency',
      '/orders/maxConcurrent',
      'minimum',
      '',
    ],
    [
      { concurrency: { orders: { maxConcurrent: -2 } } },
      'concurrency',
      '/orders/maxConcurrent',
      'minimum',
      '',
    ],
    [
      { concurrency: { orders: { maxConcurrent: 1.5 } } },
      'concurrency',
      '/orders/maxConcurrent',
      'integer',
      '',
    ],
    [
      { concurrency: { orders: { maxWeight: -1 } } },
      'concurrency',
      '/orders/maxWeight',
      'exclusiveMinimum',
      '',
    ],
    [{ concurrency: { orders: { max: 4 } } }, 'concurrency', '/orders/max', 'additionalProperties', ''],
    [
      { concurrency: { orders: { maxConcurrent: 4, throttled: { maxConcurrent: 1 } } } },
      'concurrency',
      '/orders/throttled/windowMs',
      'required',
      '',
    ],
    [
      { breakers: { orders: { halfOpenAfterMs: 1000, consecutiveFailure: 3 } } },
      'breakers',
      '/orders/consecutiveFailure',
      'additionalProperties',
      '"consecutiveFailures"',
    ],
    [
      { breakers: { orders: { consecutiveFailures: 3 } } },
      'breakers',
      '/orders/halfOpenAfterMs',
      'required',
      '',
    ],
  ])('refuses %j naming %s, the key and the rule', (settings, where, pointer, rule, hint) => {
    const error = thrown(register(settings));
    expect(error.message).toContain(where);
    expect(error.issues).toEqual([expect.objectContaining({ pointer, rule })]);
    expect(error.message).toContain(hint);
  });

  it('accepts the settings the guide describes', () => {
    const use = register({
      retryPolicies: {
        fast: { maxRetries: 2, initialDelayMs: 100, maxDelayMs: 1000, jitter: 0.25, fatalStatuses: [409] },
        quiet: { logLevel: 'debug', maxRetryAfterMs: 5000 },
      },
      concurrency: {
        orders: { maxConcurrent: 4, maxWeight: 1e6, throttled: { windowMs: 10_000, weightFactor: 20 } },
        // Tinkex's sample_throttle.window_ms: 0 (throttled only while the bucket is closed) stays valid.
        samples: { maxConcurrent: 4, throttled: { windowMs: 0 } },
      },
      breakers: { orders: { consecutiveFailures: 5, halfOpenAfterMs: 30_000 }, audit: false },
    });
    expect(use).not.toThrow();
  });
});
