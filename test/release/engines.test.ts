import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const PACKAGES = ['packages/kernel', 'examples/tinkex', 'examples/tinker-emulator', 'plugins/example-todo'];
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
});
