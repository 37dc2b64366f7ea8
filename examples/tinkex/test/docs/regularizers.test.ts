import { describe, expect, it, jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { docBlock, emulatorForDocs, exampleBody } from './doc-example.js';
import * as fromSubpath from 'tinkex/regularizers';

describe('docs/tinkex.md "Regularizers" runs as written', () => {
  emulatorForDocs('tml-regularizers-test');

  it('the docs block is the example file, verbatim', () => {
    expect(exampleBody('regularizers.ts')).toBe(docBlock('docs/tinkex.md', '### Regularizers'));
  });

  it('the subpath exports the eight regularizers and the pipeline', () => {
    const names = ['l1', 'l2', 'elasticNet', 'entropy', 'klDivergence', 'consistency', 'orthogonality'];
    for (const name of [
      ...names,
      'gradientPenalty',
      'withRegularizers',
      'computePipeline',
      'validateSpecs',
    ]) {
      expect(typeof (fromSubpath as Record<string, unknown>)[name]).toBe('function');
    }
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(pkg.exports['./regularizers'].import).toBe('./dist/regularizers/index.js');
  });

  it('trains with the regularized loss and reports each term as an event', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await import('../../examples/regularizers.js');
      const lines = log.mock.calls.map((c) => String(c[0]));
      expect(lines).toHaveLength(3);
      expect(lines[0]).toMatch(/^l2: \d+\.\d{3} × 0\.01$/);
      expect(lines[1]).toMatch(/^entropy: -?\d+\.\d{3} × 0\.1$/);
      // The total is the base NLL plus the weighted terms: larger than the NLL of a non-trivial model.
      const total = Number(/^loss_total: (-?\d+\.\d+)$/.exec(lines[2])![1]);
      const l2 = Number(/: (\S+) ×/.exec(lines[0])![1]);
      const ent = Number(/: (\S+) ×/.exec(lines[1])![1]);
      expect(total).toBeGreaterThan(0.01 * l2 + 0.1 * ent);
    } finally {
      log.mockRestore();
    }
  }, 30_000);
});
