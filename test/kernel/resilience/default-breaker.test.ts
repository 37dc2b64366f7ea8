import { describe, expect, it } from '@jest/globals';
import { MemoryTransport } from '../../../src/adapters/transport/memory-transport.js';
import { CircuitOpenError } from '../../../src/kernel/errors/api-errors.js';
import { createKernel } from '../../../src/defaults/kernel.js';
import { Ports } from '../../../src/ports/index.js';
import { thingsPlugin } from '../fixtures/things-plugin.js';

/** A plugin with the kernel's default breaker, against a server that answers 503 to everything. */
function deadServerKernel() {
  const transport = new MemoryTransport(() => ({ status: 503, body: { error: 'down' } }));
  const kernel = createKernel().use(
    thingsPlugin({ retryPolicies: { default: { initialDelayMs: 0, maxDelayMs: 0, jitter: 0 } } }),
  );
  kernel.register(Ports.Transport, transport);
  return { kernel, transport };
}

describe('the default circuit breaker', () => {
  it('never opens on a script whose few calls each spend their retries', async () => {
    const { kernel, transport } = deadServerKernel();
    for (let i = 0; i < 6; i++) {
      await expect(kernel.call('get_thing', { id: `t${i}` })).rejects.toMatchObject({ status: 503 });
    }
    // Every call reached the server with all 3 attempts: nothing was cut short by an open breaker.
    expect(transport.requests).toHaveLength(18);
  });

  it('opens for a burst of failing calls, so they stop reaching a server that is down', async () => {
    const { kernel, transport } = deadServerKernel();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) => kernel.call('get_thing', { id: `t${i}` })),
    );
    const reasons = outcomes.map((o) => (o.status === 'rejected' ? o.reason : undefined));
    expect(reasons.every((r) => r !== undefined)).toBe(true);
    expect(reasons.some((r) => r instanceof CircuitOpenError)).toBe(true);
    expect(transport.requests.length).toBeLessThan(600);
  });
});
