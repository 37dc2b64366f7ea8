import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const SPECIFIERS = ['tinkex', 'tinkex/regularizers', 'pristine-kernel', 'pristine-kernel/protobuf'];

/** Each package's export names, as seen by `require` (CommonJS) or `import` (ES module) in a fresh Node. */
function exportNames(how: 'require' | 'import'): { names: string[][]; stderr: string } {
  const list = JSON.stringify(SPECIFIERS);
  const code =
    how === 'require'
      ? `console.log(JSON.stringify(${list}.map((s) => Object.keys(require(s)).sort())))`
      : `console.log(JSON.stringify((await Promise.all(${list}.map((s) => import(s)))).map((m) => Object.keys(m).sort())))`;
  const child = spawnSync(
    process.execPath,
    ['--input-type', how === 'require' ? 'commonjs' : 'module', '-e', code],
    { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, timeout: 60_000 },
  );
  // The whole result, so that a failure shows Node's error (ERR_REQUIRE_ASYNC_MODULE and the module).
  expect({ status: child.status, stderr: child.status === 0 ? '' : child.stderr }).toEqual({
    status: 0,
    stderr: '',
  });
  return { names: JSON.parse(child.stdout) as string[][], stderr: child.stderr };
}

/**
 * Node 22.12 loads ES modules from `require` but says so once with an ExperimentalWarning (Node's own,
 * for any ES module package; 22.13 dropped it, 20.19 never printed it). README says so. Anything else on
 * stderr, or that warning on another version, fails.
 */
const EXPECTED_WARNINGS = /^v22\.12\./.test(process.version)
  ? ['ExperimentalWarning: … is loading ES Module …']
  : [];

/** Each warning line Node printed, its module paths (which differ by machine) left out. */
function warningsOf(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => /Warning:/.test(line))
    .map((line) => line.replace(/^\(node:\d+\) /, '').replace(/: .* (is loading ES Module) .*$/, ': … $1 …'));
}

/**
 * CommonJS apps `require` the packages (README; Node 20.19+ loads ES modules from `require` unless a
 * module in the graph uses top-level await, which would throw ERR_REQUIRE_ASYNC_MODULE). Checked in a
 * fresh Node of the version running the suite (CI runs it on this machine's Node and on Node 24; the pack
 * check does the same against the installed tarballs on this machine's Node).
 */
describe('require() of the ES module packages', () => {
  it("gives a CommonJS app the exports an ES module app gets, with no warning but 22.12's own", () => {
    const required = exportNames('require');
    const imported = exportNames('import');
    expect(warningsOf(required.stderr)).toEqual(EXPECTED_WARNINGS);
    expect(required.names).toEqual(imported.names);
    expect(required.names.map((names) => names.length > 0)).toEqual(SPECIFIERS.map(() => true));
  });
});
