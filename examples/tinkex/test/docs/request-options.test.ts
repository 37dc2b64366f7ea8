import { describe, expect, it, jest } from '@jest/globals';
import { docBlock, emulatorForDocs, exampleBody } from './doc-example.js';

describe('docs/tinkex.md "Per-call options" runs as written', () => {
  emulatorForDocs('tml-request-options-test');

  it('the docs block is the example file, verbatim', () => {
    expect(exampleBody('request-options.ts')).toBe(docBlock('docs/tinkex.md', '## Per-call options'));
  });

  it('a bounded call succeeds, an aborted step rejects, and the next step runs', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => {});
    // It once hit Jest's timeout in CI (not reproduced): fail first, saying how far the example got.
    let stuck: NodeJS.Timeout | undefined;
    const printed = () => JSON.stringify(log.mock.calls.map((c) => String(c[0])));
    try {
      await Promise.race([
        import('../../examples/request-options.js'),
        new Promise((_, reject) => {
          stuck = setTimeout(() => reject(new Error(`not done after 25 s; printed ${printed()}`)), 25_000);
        }),
      ]);
      expect(log.mock.calls.map((c) => String(c[0]))).toEqual([
        expect.stringMatching(/^runs: \d+$/),
        'aborted',
        'next step done',
      ]);
    } finally {
      clearTimeout(stuck);
      log.mockRestore();
    }
  }, 30_000);
});
