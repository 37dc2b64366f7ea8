import { beforeAll, describe, expect, it } from '@jest/globals';
import { buildCli } from '../support/cli/run-cli.js';
import { loadedBy } from '../support/loaded-modules.js';

const INDEX = new URL('../../dist/index.js', import.meta.url).href;

/*
 * Every module `import('tinkex')` loads stays in the heap for the life of the process, and V8 sizes the
 * old generation from the live heap: in the 2,000-sample fan-out each retained megabyte costs more than
 * one at peak RSS (docs/performance-notes.md). Packages only some features need load at first use.
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

describe("import('tinkex') loads only what every client needs", () => {
  let loaded: string[];
  beforeAll(async () => {
    await buildCli();
    loaded = loadedBy(INDEX).packages;
  }, 120_000);

  it('sees the packages it does load, ES modules and CommonJS alike', () => {
    // The check itself works: undici and tsyringe (CommonJS) and form-data-encoder (ES modules) are
    // always needed. (The packages the build compiles into dist/ are not loaded from node_modules.)
    expect(loaded).toEqual(expect.arrayContaining(['undici', 'tsyringe', 'form-data-encoder']));
  });

  it('leaves tokenizers, the Hub client, archives, Redis, got, zstd WASM, TF.js and the CLI for first use', () => {
    expect(loaded.filter((name) => LAZY.includes(name))).toEqual([]);
  });

  it("loads undici's dispatcher classes by their files, not its index with fetch, WebSocket and mocks", () => {
    // The index's other parts are ~3 MB of live heap (docs/performance-notes.md, round 8). What it does on
    // load that matters still happens: the global dispatcher Node's fetch uses is undici's Agent.
    const { stdout } = loadedBy(
      INDEX,
      'const files = Object.keys(nodeModule.createRequire(import.meta.url).cache);\n' +
        "const undici = files.filter((file) => file.includes('/node_modules/undici/'));\n" +
        "console.log(undici.some((file) => file.endsWith('/undici/index.js')));\n" +
        'console.log(undici.some((file) => /\\/lib\\/(web|mock|cache)\\//.test(file)));\n' +
        "console.log(undici.some((file) => file.endsWith('/lib/dispatcher/agent.js')));\n" +
        "console.log(globalThis[Symbol.for('undici.globalDispatcher.1')]?.constructor.name);",
    );
    expect(stdout).toBe('false\nfalse\ntrue\nAgent\n');
  });

  it('a lazily loaded package still works on first use, from the built package', () => {
    const { packages, stdout } = loadedBy(
      INDEX,
      "const tok = loaded.loadTokenizer('tinkex/byte-level', { cacheDir: '/nonexistent', env: {} });" +
        "console.log(JSON.stringify(tok.decode(tok.encode('hi', { add_special_tokens: false }))));",
    );
    expect(stdout).toBe('"hi"\n');
    expect(packages).toContain('@huggingface/tokenizers');
  });
});
