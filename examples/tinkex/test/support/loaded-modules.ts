import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Loaded {
  /** URLs of the ES modules the process loaded (seen by a load hook), in load order. */
  esModules: string[];
  /** The packages it loaded from node_modules, ES modules and CommonJS ones (require's cache) alike. */
  packages: string[];
  stdout: string;
}

/** What a fresh Node process has loaded after importing `specifier` (then running `then`, if given). */
export function loadedBy(specifier: string, then = ''): Loaded {
  const dir = mkdtempSync(join(tmpdir(), 'loaded-modules-'));
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
        "for (const file of Object.keys(nodeModule.createRequire(import.meta.url).cache)) console.error('REQUIRED ' + file);\n",
    );
    const result = spawnSync(process.execPath, [join(dir, 'main.mjs')], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
    });
    if (result.status !== 0) throw new Error(`importing ${specifier} failed:\n${result.stderr}`);
    const lines = result.stderr.split('\n');
    const esModules = lines
      .filter((line) => line.startsWith('LOADED '))
      .map((line) => line.slice('LOADED '.length))
      // The hook also sees the script itself and its own hook file.
      .filter((url) => !url.startsWith(`file://${dir}`));
    return { esModules, packages: packageNames(lines), stdout: result.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function packageNames(lines: string[]): string[] {
  const names = new Set<string>();
  for (const line of lines) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(/^(LOADED|REQUIRED) /.test(line) ? line : '');
    if (match) names.add(match[1]);
  }
  return [...names].sort();
}
