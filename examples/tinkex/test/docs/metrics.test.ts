import { describe, expect, it, jest } from '@jest/globals';
import { docBlock, emulatorForDocs, exampleBody } from './doc-example.js';

describe('docs/tinkex.md "Metrics" runs as written', () => {
  emulatorForDocs('tml-metrics-test');

  it('the docs block is the example file, verbatim', () => {
    expect(exampleBody('metrics.ts')).toBe(docBlock('docs/tinkex.md', '## Metrics'));
  });

  it('prints the call count, ordered percentiles and the request count', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await import('../../examples/metrics.js');
      const lines = log.mock.calls.map((c) => String(c[0]));
      expect(lines[0]).toBe('forward_backward calls: 5');
      expect(lines[1]).toBe('p50 ≤ p95 ≤ p99: true');
      // At least create_session, create_model and one request per call, plus their polls.
      const requests = Number(/^requests: (\d+), retries: 0$/.exec(lines[2])![1]);
      expect(requests).toBeGreaterThanOrEqual(12);
    } finally {
      log.mockRestore();
    }
  }, 30_000);
});
