import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Loaded {
  /** URLs of the ES modules the process loaded (seen by a load hook), in load order. CommonJS files
   * are left out: Node 20 hooks see only the one a package's `import` enters by, Node 22.15+'s
   * in-thread hooks see every file `require` loads too. */
  esModules: string[];
  /** URLs of the CommonJS files the process entered through an ES `import` (not `require`): Node's ESM
   * loader lexes each one's source for its export names first. */
  commonJsImported: string[];
  /** The packages it loaded from node_modules, ES modules and CommonJS ones (require's cache) alike. */
  packages: string[];
  stdout: string;
}

/** What a fresh Node process has loaded after importing `specifier` (then running `then`, if given). */
export function loadedBy(specifier: string, then = ''): Loaded {
  const dir = mkdtempSync(join(tmpdir(), 'loaded-modules-'));
  try {
    // The hooks append each URL to a file synchronously: on Node 20 they run on their own thread, whose
    // stderr reaches the main thread asynchronously and can be cut off when the process exits (on
    // Node 24 it was lost altogether), so a single module's line could go missing.
    const log = join(dir, 'loaded.log');
    const record = `(url, format) => appendFileSync(${JSON.stringify(log)}, format + ' ' + url + '\\n')`;
    // What `import` resolved (conditions include 'import'; `require` resolves with 'require').
    const imported = "(url, context) => context.conditions?.includes('import') && record(url, 'IMPORTED')";
    writeFileSync(
      join(dir, 'hooks.mjs'),
      "import { appendFileSync } from 'node:fs';\n" +
        `const record = ${record};\n` +
        `const imported = ${imported};\n` +
        'export async function resolve(specifier, context, next) {\n' +
        '  const result = await next(specifier, context);\n' +
        '  imported(result.url, context);\n' +
        '  return result;\n}\n' +
        'export async function load(url, context, next) {\n' +
        '  const result = await next(url, context);\n' +
        '  record(url, result.format);\n' +
        '  return result;\n}\n',
    );
    writeFileSync(
      join(dir, 'main.mjs'),
      "import { appendFileSync } from 'node:fs';\n" +
        "import * as nodeModule from 'node:module';\n" +
        `const record = ${record};\n` +
        `const imported = ${imported};\n` +
        // In-thread hooks where Node has them (22.15+), off-thread ones before.
        'if (nodeModule.registerHooks) {\n' +
        '  nodeModule.registerHooks({\n' +
        '    resolve(specifier, context, next) { const result = next(specifier, context); imported(result.url, context); return result; },\n' +
        '    load(url, context, next) { const result = next(url, context); record(url, result.format); return result; },\n' +
        '  });\n' +
        "} else nodeModule.register('./hooks.mjs', import.meta.url);\n" +
        `const loaded = await import(${JSON.stringify(specifier)});\n` +
        `${then}\n` +
        "for (const file of Object.keys(nodeModule.createRequire(import.meta.url).cache)) record(file, 'REQUIRED');\n",
    );
    const result = spawnSync(process.execPath, [join(dir, 'main.mjs')], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
    });
    if (result.status !== 0) throw new Error(`importing ${specifier} failed:\n${result.stderr}`);
    const lines = readFileSync(log, 'utf8').split('\n');
    const esModules = lines
      .filter((line) => line.startsWith('module '))
      .map((line) => line.slice('module '.length))
      // The hook also sees the script itself and its own hook file.
      .filter((url) => !url.startsWith(`file://${dir}`));
    const importedUrls = new Set(
      lines.filter((line) => line.startsWith('IMPORTED ')).map((line) => line.slice('IMPORTED '.length)),
    );
    const commonJsImported = lines
      .filter((line) => line.startsWith('commonjs ') && importedUrls.has(line.slice('commonjs '.length)))
      .map((line) => line.slice('commonjs '.length));
    return { esModules, commonJsImported, packages: packageNames(lines), stdout: result.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function packageNames(lines: string[]): string[] {
  const names = new Set<string>();
  for (const line of lines) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(line);
    if (match) names.add(match[1]);
  }
  return [...names].sort();
}
