import { beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCli } from '../support/cli/run-cli.js';

const INDEX = new URL('../../dist/index.js', import.meta.url).href;

/*
 * Every module `import('tinkex')` loads stays in the heap for the life of the process, and V8 sizes the
 * old generation from the live heap: in the 2,000-sample fan-out each retained megabyte costs more than
 * one at peak RSS (docs/performance.md). Packages only some features need load at first use.
 */
const LAZY = [
  '@huggingface/tokenizers',
  '@huggingface/hub',
  'js-tiktoken',
  'tar',
  'got',
  'hpagent',
  'ioredis',
  '@bokuweb/zstd-wasm',
  '@tensorflow/tfjs-core',
  'commander',
  'cli-table3',
];

/**
 * The packages a fresh Node process has loaded after importing `specifier`, ES modules (seen by a load
 * hook) and CommonJS ones (require's cache) alike.
 */
function packagesLoadedBy(specifier: string, then = ''): { packages: string[]; stdout: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lazy-imports-'));
  try {
    writeFileSync(
      join(dir, 'hooks.mjs'),
      'export async function load(url, context, next) {\n' +
        '  const result = await next(url, context);\n' +
        "  process.stderr.write('LOADED ' + url + '\\n');\n" +
        '  return result;\n}\n',
    );
    writeFileSync(
      join(dir, 'main.mjs'),
      "import * as nodeModule from 'node:module';\n" +
        // In-thread hooks where Node has them (22.15+): on Node 24 the off-thread hooks' stderr lines are
        // lost, and the check would see CommonJS packages only.
        'if (nodeModule.registerHooks) {\n' +
        "  nodeModule.registerHooks({ load(url, context, next) { process.stderr.write('LOADED ' + url + '\\n'); return next(url, context); } });\n" +
        "} else nodeModule.register('./hooks.mjs', import.meta.url);\n" +
        `const loaded = await import(${JSON.stringify(specifier)});\n` +
        `${then}\n` +
        "for (const file of Object.keys(nodeModule.createRequire(import.meta.url).cache)) console.error('LOADED ' + file);\n",
    );
    const result = spawnSync(process.execPath, [join(dir, 'main.mjs')], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
    });
    if (result.status !== 0) throw new Error(`importing ${specifier} failed:\n${result.stderr}`);
    return { packages: packageNames(result.stderr), stdout: result.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function packageNames(log: string): string[] {
  const names = new Set<string>();
  for (const line of log.split('\n')) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(line.startsWith('LOADED ') ? line : '');
    if (match) names.add(match[1]);
  }
  return [...names].sort();
}

describe("import('tinkex') loads only what every client needs", () => {
  let loaded: string[];
  beforeAll(async () => {
    await buildCli();
    loaded = packagesLoadedBy(INDEX).packages;
  }, 120_000);

  it('sees the packages it does load, ES modules and CommonJS alike', () => {
    // The check itself works: undici (CommonJS) and @sinclair/typebox (ES modules) are always needed.
    expect(loaded).toEqual(expect.arrayContaining(['undici', '@sinclair/typebox', 'ajv']));
  });

  it('leaves tokenizers, the Hub client, archives, Redis, got, zstd WASM, TF.js and the CLI for first use', () => {
    expect(loaded.filter((name) => LAZY.includes(name))).toEqual([]);
  });

  it('a lazily loaded package still works on first use, from the built package', () => {
    const { packages, stdout } = packagesLoadedBy(
      INDEX,
      "const tok = loaded.loadTokenizer('tinkex/byte-level', { cacheDir: '/nonexistent', env: {} });" +
        "console.log(JSON.stringify(tok.decode(tok.encode('hi', { add_special_tokens: false }))));",
    );
    expect(stdout).toBe('"hi"\n');
    expect(packages).toContain('@huggingface/tokenizers');
  });
});
