import { describe, expect, it, jest } from '@jest/globals';
import { docBlock, emulatorForDocs, exampleBody } from './doc-example.js';

describe('docs/tinkex.md "Per-call options" runs as written', () => {
  emulatorForDocs('tml-request-options-test');

  it('the docs block is the example file, verbatim', () => {
    expect(exampleBody('request-options.ts')).toBe(docBlock('docs/tinkex.md', '## Per-call options'));
  });

  it('a bounded call succeeds, an aborted step rejects, and the next step runs', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await import('../../examples/request-options.js');
      expect(log.mock.calls.map((c) => String(c[0]))).toEqual([
        expect.stringMatching(/^runs: \d+$/),
        'aborted',
        'next step done',
      ]);
    } finally {
      log.mockRestore();
    }
  }, 30_000);
});
