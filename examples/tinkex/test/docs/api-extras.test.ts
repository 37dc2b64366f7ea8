import { describe, expect, it, jest } from '@jest/globals';
import { docBlock, emulatorForDocs, exampleBody } from './doc-example.js';

/** Run an example file, returning what it printed (one string per console.log). */
async function printed(load: () => Promise<unknown>): Promise<string[]> {
  const log = jest.spyOn(console, 'log').mockImplementation(() => {});
  try {
    await load();
    return log.mock.calls.map((call) => call.map(String).join(' '));
  } finally {
    log.mockRestore();
  }
}

describe('docs/tinkex.md "Tokens, sparse and audio inputs, health" and "Request options" run as written', () => {
  const env = emulatorForDocs('tml-api-extras-test');

  it('the docs blocks are the example files, verbatim', () => {
    expect(exampleBody('api-extras.ts')).toBe(
      docBlock('docs/tinkex.md', '## Tokens, sparse and audio inputs'),
    );
    expect(exampleBody('resilience-options.ts')).toBe(
      docBlock('docs/tinkex.md', '## Request options and resilience'),
    );
  });

  it('health, a token round trip, sparse and audio inputs, the prompt cache and an unload', async () => {
    const lines = await printed(() => import('../../examples/api-extras.js'));
    expect(lines).toEqual([
      'health: ok',
      'round trip: The quick brown fox',
      'audio tokens: 3',
      'cached prompt tokens: true',
    ]);
    const paths = env.emulator.requestLog().map((r) => r.path);
    expect(paths).toContain('/api/v1/unload_model');
  });

  it('the request options reach the wire: the default query is on every request', async () => {
    const before = env.emulator.requestLog().length;
    const lines = await printed(() => import('../../examples/resilience-options.js'));
    expect(lines).toEqual(['sampled tokens: 3']);
    const paths = env.emulator
      .requestLog()
      .slice(before)
      .map((r) => r.path);
    expect(paths.length).toBeGreaterThan(3);
    for (const path of paths) expect(path).toContain('team=research');
  });
});
