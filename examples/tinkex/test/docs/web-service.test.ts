import { describe, expect, it, jest } from '@jest/globals';
import { docBlock, emulatorForDocs, exampleBody } from './doc-example.js';

describe('docs/tinkex.md "Serving samples from a web service" runs as written', () => {
  const env = emulatorForDocs('tml-web-service-test');

  it('the docs block is the example file, verbatim', () => {
    expect(exampleBody('web-service.ts')).toBe(
      docBlock('docs/tinkex.md', '## Serving samples from a web service'),
    );
  });

  it('one shared sampler streams to web requests; shutdown drains them, closes the client, lets go of SIGTERM', async () => {
    const sigterm = process.listenerCount('SIGTERM');
    const log = jest.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await import('../../examples/web-service.js');
      expect(log.mock.calls.map((c) => c.join(' '))).toEqual([
        'streamed bytes: 16',
        'in flight after shutdown: 0',
      ]);
      // One session and one sampler for both web requests, each of which sampled on it.
      const paths = env.emulator.requestLog().map((e) => e.path);
      expect(paths.filter((p) => p === '/api/v1/create_session')).toHaveLength(1);
      expect(paths.filter((p) => p === '/api/v1/create_sampling_session')).toHaveLength(1);
      expect(paths.filter((p) => p.includes('stream'))).toHaveLength(2);
      expect(process.listenerCount('SIGTERM')).toBe(sigterm);
    } finally {
      log.mockRestore();
    }
  }, 30_000);
});
