import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Globals the compiler accepts but Node 20.19 (the oldest we support) lacks. tsconfig.base.json's lib
 * takes in DOM and ESNext.Disposable, so these type-check; `npm run typecheck` already refuses what
 * ES2023 and @types/node 20 leave out (Promise.withResolvers, Object.groupBy, Set methods, iterator
 * helpers, Array.fromAsync, fs.glob …). Each checked with `typeof globalThis[name]` on the 20.19.0
 * binary .ci/fetch-node fetches (round 33: all undefined; navigator and WebSocket exist from 22,
 * DisposableStack and AsyncDisposableStack from 24).
 */
const MISSING_ON_NODE_20 = [
  'DisposableStack',
  'AsyncDisposableStack',
  'navigator',
  'WebSocket',
  'EventSource',
  'localStorage',
  'sessionStorage',
];

/** Comments and string contents blanked, so prose and messages that name a global do not count. */
const code = (text: string) =>
  text
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/(^|[^:\\])\/\/.*$/gm, '$1')
    .replace(/'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`/g, "''");

/**
 * The names above that `source` uses as globals: not `x.name` properties, `name:` keys, or a
 * `typeof name` feature check (the guarded use, as the zstd fallbacks do for zlib).
 */
function missingGlobalsUsed(source: string): string[] {
  const body = code(source);
  return MISSING_ON_NODE_20.filter((name) =>
    new RegExp(`(?<![.\\w$])(?<!typeof\\s+)${name}\\b(?!\\s*:(?!:))`).test(body),
  );
}

function sources(dir: string, found: string[] = []): string[] {
  if (!existsSync(dir)) return found;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    if (entry.isDirectory()) sources(path, found);
    else if (/\.(?:ts|mts|js|mjs)$/.test(entry.name)) found.push(path);
  }
  return found;
}

/** What ships or runs as the product: the kernel, the packages, the examples' and plugins' src. */
const SOURCE_DIRS = [
  'src',
  'packages',
  ...['examples', 'plugins'].flatMap((top) =>
    readdirSync(join(ROOT, top)).map((name) => join(top, name, 'src')),
  ),
];

describe('no global that Node 20.19 lacks', () => {
  it('finds none in src, packages, examples/*/src or plugins/*/src', () => {
    const files = SOURCE_DIRS.flatMap((dir) => sources(join(ROOT, dir)));
    expect(files.length).toBeGreaterThan(300); // it looked at the tree, not at an empty folder
    const used = files.flatMap((path) =>
      missingGlobalsUsed(readFileSync(path, 'utf8')).map((name) => `${relative(ROOT, path)}: ${name}`),
    );
    expect(used).toEqual([]);
  });

  it.each([
    ['const socket = new WebSocket(url);', ['WebSocket']],
    ['await using stack = new AsyncDisposableStack();', ['AsyncDisposableStack']],
    ['const agent = navigator.userAgent;', ['navigator']],
    ['const stack = new DisposableStack();', ['DisposableStack']],
    ['if (typeof DisposableStack === "function") {}', []],
    ['// a comment naming WebSocket', []],
    ["throw new Error('no WebSocket here');", []],
    ['const options = { navigator: 1 }; options.navigator;', []],
    ['import type { EventSourceLike } from "./x.js";', []],
  ])('reads %j as using %j', (source, expected) => {
    expect(missingGlobalsUsed(source)).toEqual(expected);
  });
});
