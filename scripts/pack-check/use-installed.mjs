// The installed packages used as a stranger uses them, on one Node binary: ESM import and CommonJS
// require of each package, the README quickstart against an emulator started from the installed
// package, and the `tinkex` and `tinker-emulator` bins through npx. pack-install-check.mjs runs it on its
// own Node, then on each `--also-node` (CI: the oldest Node 20 and 22 that `engines` admits).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * @param {object} o
 * @param {string} o.node the Node binary; npx runs on it too (its directory goes first on PATH)
 * @param {string} o.app the app the tarballs are installed in
 * @param {string} o.root the repository
 * @param {Array<{ name: string, manifest: { version: string } }>} o.packages the installed packages
 * @param {(cmd: string, args: string[], options?: object) => string} o.run runs a command, stops on failure
 * @param {(reason: string) => never} o.fail stops the check with a reason
 * @param {(line: string) => void} o.say prints a result line
 */
export function useInstalled({ node, app, root, packages, run, fail, say }) {
  const env = { PATH: `${dirname(node)}:${process.env.PATH ?? ''}` };
  const version = run(node, ['--version'], { env }).trim();
  const on = (label) => `${label} (node ${version})`;
  const tinkex = packages.find((p) => p.name === 'tinkex');

  // ESM import of each package, resolved inside the app (never back into the repository).
  const importCheck = packages
    .map(
      (p) => `{
  const url = import.meta.resolve(${JSON.stringify(p.name)});
  if (!url.startsWith(${JSON.stringify(`file://${app}/node_modules/`)})) throw new Error('${p.name} resolved to ' + url);
  const m = await import(${JSON.stringify(p.name)});
  const n = Object.keys(m).length;
  if (n === 0) throw new Error('${p.name} exports nothing');
  console.log('import ${p.name}: ' + n + ' exports');
}`,
    )
    .join('\n');
  writeFileSync(join(app, 'import-check.mjs'), importCheck + '\n');
  const imported = run(node, ['import-check.mjs'], { cwd: app, env, label: on('node import-check.mjs') });
  say(imported);
  const exportCounts = Object.fromEntries(
    [...imported.matchAll(/^import (\S+): (\d+) exports$/gm)].map(([, name, n]) => [name, Number(n)]),
  );

  // CommonJS `require` of the same packages (Node ≥ 20.19 and ≥ 22.12 load ES modules from require), as
  // an app still compiled to CommonJS does: the same exports an ES import sees, from the app's node_modules.
  const requireCheck = packages
    .map(
      (p) => `{
  const path = require.resolve(${JSON.stringify(p.name)});
  if (!path.startsWith(${JSON.stringify(`${app}/node_modules/`)})) throw new Error('${p.name} resolved to ' + path);
  const n = Object.keys(require(${JSON.stringify(p.name)})).length;
  if (n !== ${exportCounts[p.name]}) throw new Error('${p.name}: require saw ' + n + ' exports, import ${exportCounts[p.name]}');
  console.log('require ${p.name}: ' + n + ' exports');
}`,
    )
    .join('\n');
  writeFileSync(join(app, 'require-check.cjs'), requireCheck + '\n');
  say(run(node, ['require-check.cjs'], { cwd: app, env, label: on('node require-check.cjs') }));

  // The README quickstart, against an emulator started from the installed package.
  const readme = readFileSync(join(root, 'examples', 'tinkex', 'examples', 'readme-quickstart.ts'), 'utf8')
    .replace(/^\/\/.*\n/, '')
    .replace(/ as const/g, '');
  writeFileSync(
    join(app, 'quickstart.mjs'),
    `import { startEmulator } from 'tinker-emulator';
const emulator = await startEmulator();
process.env.TINKER_BASE_URL = emulator.url;
process.env.TINKER_API_KEY = 'tml-pack-install-check';
try {
  await import('./readme-quickstart.mjs');
} finally {
  await emulator.close();
}
`,
  );
  writeFileSync(join(app, 'readme-quickstart.mjs'), readme);
  const sampled = run(node, ['quickstart.mjs'], {
    cwd: app,
    env,
    timeoutMs: 180_000,
    label: on('node quickstart.mjs'),
  });
  if (sampled.trim() === '') fail(on('the quickstart printed no sample'));
  say(`quickstart: sampled ${JSON.stringify(sampled.trim().slice(0, 60))}\n`);

  // The bins, through npx as a user runs them (never installing anything else).
  const npx = (args, extra = {}, timeoutMs = 300_000) =>
    run('npx', ['--no-install', ...args], {
      cwd: app,
      env: { ...env, ...extra },
      timeoutMs,
      label: on(`npx ${args.join(' ')}`),
    });
  const help = npx(['tinkex', '--help'], { TINKER_API_KEY: '' });
  if (!/tinkex/i.test(help)) fail(on('`npx tinkex --help` printed no usage'));
  const printed = npx(['tinkex', 'version'], { TINKER_API_KEY: '' });
  if (!printed.includes(tinkex.manifest.version))
    fail(on(`\`npx tinkex version\` printed ${JSON.stringify(printed)}`));
  say(`bin: npx tinkex --help ok; npx tinkex version -> ${printed.trim().split('\n')[0]}\n`);
  const emulatorHelp = npx(['tinker-emulator', '--help']);
  if (!/tinker-emulator/.test(emulatorHelp)) fail(on('`npx tinker-emulator --help` printed no usage'));
  say('bin: npx tinker-emulator --help ok\n');
  // The package README's offline try-out, against the bundled emulator (no TINKER_BASE_URL).
  const offline = npx(['tinkex', 'quickstart'], { TINKER_API_KEY: '', TINKER_BASE_URL: '' }, 180_000);
  if (!/loss .* lower/.test(offline))
    fail(on(`\`npx tinkex quickstart\` printed ${JSON.stringify(offline.slice(-300))}`));
  say(`bin: npx tinkex quickstart ok (offline, bundled emulator) on node ${version}\n`);
  return version;
}
