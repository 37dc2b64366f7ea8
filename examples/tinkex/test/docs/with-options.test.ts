import { describe, expect, it, jest } from '@jest/globals';
import { docBlock, emulatorForDocs, exampleBody } from './doc-example.js';

describe('docs/tinkex.md "Default options for a whole job" runs as written', () => {
  const env = emulatorForDocs('tml-with-options-test');

  it('the docs block is the example file, verbatim', () => {
    expect(exampleBody('with-options.ts')).toBe(
      docBlock('docs/tinkex.md', '## Default options for a whole job'),
    );
  });

  it('an abort mid-loop settles every future of the view, and the client itself goes on', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await import('../../examples/with-options.js');
      expect(log.mock.calls.map((c) => String(c[0]))).toEqual([
        'every future settled',
        expect.stringMatching(/^runs: [1-9]\d*$/),
      ]);
      // The view opened no session nor model of its own.
      const paths = env.emulator.requestLog().map((e) => e.path);
      expect(paths.filter((p) => p === '/api/v1/create_session')).toHaveLength(1);
      expect(paths.filter((p) => p === '/api/v1/create_model')).toHaveLength(1);
    } finally {
      log.mockRestore();
    }
  }, 30_000);
});
