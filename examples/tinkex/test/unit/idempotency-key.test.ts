import { describe, expect, it } from '@jest/globals';
import { recordingTinkerKernel } from '../support/recording-tinker-kernel.js';

const V4 = /^stainless-node-retry-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('the X-Idempotency-Key of every Tinkex call', () => {
  it('is the stainless prefix and a version-4 UUID, as `stainless-node-retry-${randomUUID()}` was', async () => {
    const { kernel, seen } = recordingTinkerKernel({
      contentType: 'application/json',
      body: '{"type":"ok"}',
    });
    for (let i = 0; i < 3; i++) {
      await kernel.call('retrieve_future', { request_id: `r-${i}` });
    }
    const keys = seen.map((request) => request.headers['x-idempotency-key']);
    expect(keys).toHaveLength(3);
    expect(keys.every((key) => V4.test(key))).toBe(true);
    expect(new Set(keys).size).toBe(3);
  });
});
