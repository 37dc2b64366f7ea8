import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: a plain .mjs script without declarations
import * as nodeRange from '../../scripts/node-range.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const PACKAGES = ['packages/kernel', 'examples/tinkex', 'examples/tinker-emulator', 'plugins/example-todo'];
const { satisfiesNode, refusedEngines, OLDEST_NODES } = nodeRange as {
  satisfiesNode: (version: string, range: string) => boolean;
  refusedEngines: (lockPackages: object) => string[];
  OLDEST_NODES: string[];
};
// Known and accepted: typescript-eslint 8.73's copy wants ^22.13.0, so `npm ci` warns on 22.12.x only;
// it is used by `npm run lint` alone, which works there (round 33).
const ACCEPTED = ['node_modules/@typescript-eslint/visitor-keys/node_modules/eslint-visitor-keys@5.0.1'];
const enginesOf = (dir: string) =>
  (JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as { engines?: { node?: string } })
    .engines?.node;

/**
 * Found by hand (round 29): `engines` said `>=20.19`, but Node 22.0–22.11 cannot `require()` an ES module
 * (ERR_REQUIRE_ESM on 22.6.0; 22.12.0 loads it), and the README promises CommonJS apps `require('tinkex')`.
 * Every package must leave those versions out, as the workspace does, so `npm install` warns there.
 */
describe('engines', () => {
  it('leaves out the Node 22 releases that cannot require() an ES module', () => {
    expect(enginesOf('.')).toBe('^20.19.0 || >=22.12.0');
  });

  it.each(PACKAGES)('%s declares the workspace range', (dir) => {
    expect(enginesOf(dir)).toBe(enginesOf('.'));
  });

  it.each(OLDEST_NODES)('admits Node %s', (version) => {
    expect(satisfiesNode(version, enginesOf('.')!)).toBe(true);
  });

  /**
   * Found in round 33: `npm ci` on Node 20 warned EBADENGINE for @bufbuild/protoc-gen-es 2.17.0
   * (`>=22`; 2.13.0 is the last that admits Node 20). The lock records every package's engines, so a
   * dependency that leaves out a Node we support fails here, whichever Node runs the suite.
   */
  it('locks no package whose engines leave out the oldest Node 20, 22 or 24', () => {
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: object };
    const refused = refusedEngines(lock.packages);
    expect(refused.filter((line) => !ACCEPTED.some((known) => line.startsWith(`${known} `)))).toEqual([]);
    // The exception is still needed (else drop it).
    expect(ACCEPTED.filter((known) => !refused.some((line) => line.startsWith(`${known} `)))).toEqual([]);
  });
});

describe('satisfiesNode (npm semver ranges as engines use them)', () => {
  it.each([
    ['20.19.0', '^20.19.0 || >=22.12.0', true],
    ['20.18.3', '^20.19.0 || >=22.12.0', false],
    ['21.7.0', '^20.19.0 || >=22.12.0', false],
    ['22.11.0', '^20.19.0 || >=22.12.0', false],
    ['24.0.0', '^20.19.0 || >=22.12.0', true],
    ['20.19.0', '>=22', false],
    ['20.19.0', '>= 10.0.0', true],
    ['19.9.0', '18 || 20 || >=22', false],
    ['20.5.0', '18 || 20 || >=22', true],
    ['14.16.0', '>=16 || 14 >=14.17', false],
    ['14.17.0', '>=16 || 14 >=14.17', true],
    ['11.0.0', '10.* || >= 12.*', false],
    ['20.12.0', '>=18.20.0 <20 || >=20.12.1', false],
    ['20.19.0', '>=18.20.0 <20 || >=20.12.1', true],
    ['0.3.0', '^0.2.3', false],
    ['22.12.0', '~22.11', false],
    ['20.0.0', '*', true],
  ])('%s against %j is %s', (version, range, expected) => {
    expect(satisfiesNode(version, range)).toBe(expected);
  });

  it('names each locked package and Node it would warn about', () => {
    const lock = {
      '': { engines: { node: '^20.19.0 || >=22.12.0' } },
      'node_modules/a': { version: '1.0.0', engines: { node: '>=22' } },
      'node_modules/b': { version: '2.0.0' },
    };
    expect(refusedEngines(lock)).toEqual(['node_modules/a@1.0.0 wants >=22, not 20.19.0']);
  });

  it('throws on a form it does not know instead of guessing', () => {
    expect(() => satisfiesNode('20.19.0', '>=20.0.0-rc.1')).toThrow('unsupported engines range');
  });
});
