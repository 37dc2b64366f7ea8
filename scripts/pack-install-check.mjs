// The pack-and-install check (CI): build, `npm pack` the published packages, install ONLY those tarballs
// into an empty app outside the repository (their third-party dependencies come from the npm cache that
// `npm ci` filled, else the npm registry; no other network), then use them as a stranger would: ESM import
// of each package, a TypeScript consumer type-checked against the shipped declarations, the README
// quickstart against an emulator started from the installed package, and the `tinkex` and
// `tinker-emulator` bins. Prints `pack-install-check: PASS` or `…: FAIL (reason)` and exits non-zero
// on failure. Usage: `node scripts/pack-install-check.mjs [--keep] [--also-node PATH]...` (--keep leaves
// the temp dir for a look; each --also-node also runs the imports, the quickstart and the bins on that
// Node binary, as CI does on the oldest Node 20 and 22 that `engines` admits).
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, PACKAGES } from './build.mjs';
import { undeclaredImports } from './package-imports.mjs';
import { tarballProblems } from './tarball-contents.mjs';
import { useInstalled } from './pack-check/use-installed.mjs';
import { refusedEngines } from './node-range.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
// Node binaries the installed packages are also used on (`--also-node PATH`, repeatable).
const alsoNodes = process.argv.flatMap((arg, i) => (process.argv[i - 1] === '--also-node' ? [arg] : []));
const work = realpathSync(mkdtempSync(join(tmpdir(), 'pack-install-check-')));
const started = Date.now();

// The temp dir goes however the check ends (pass, fail, an exception, Ctrl-C or a CI timeout's SIGTERM).
process.on('exit', () => {
  if (!keep) rmSync(work, { recursive: true, force: true });
});
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

function fail(reason) {
  process.stdout.write(`pack-install-check: FAIL (${reason})${keep ? ` — kept ${work}` : ''}\n`);
  process.exit(1);
}

/** Run a command; on failure print what it said and stop. Returns stdout. */
function run(cmd, args, { cwd, env, timeoutMs = 300_000, label = `${cmd} ${args.join(' ')}` } = {}) {
  process.stderr.write(`$ ${label}\n`);
  const result = spawnSync(cmd, args, {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}\n`);
    fail(`${label} exited ${result.status ?? result.signal ?? result.error?.message}`);
  }
  return result.stdout;
}

if (relative(root, work).split(/[\\/]/)[0] !== '..') fail(`temp dir ${work} is inside the repository`);

// 1. Build and pack. The builds already ran, so pack skips lifecycle scripts (no second compile).
if (!build()) fail('the build failed');
const packDir = join(work, 'tarballs');
mkdirSync(packDir);
const packages = PACKAGES.map((p) => p.dir)
  .filter((dir) => existsSync(join(root, dir, 'package.json')))
  .map((dir) => {
    const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
    const out = run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], {
      cwd: join(root, dir),
      label: `npm pack ${dir}`,
    });
    const [info] = JSON.parse(out);
    const devOnly = Object.keys(manifest.devDependencies ?? {});
    const problems = tarballProblems(
      info.files.map((f) => f.path),
      manifest,
    );
    if (problems.length > 0) fail(`${dir}'s tarball: ${problems.join('; ')}`);
    process.stderr.write(
      `  ${info.filename}: ${info.entryCount} files, ${(info.size / 1024).toFixed(0)} kB\n`,
    );
    return { dir, name: manifest.name, tarball: join(packDir, info.filename), manifest, devOnly };
  });
const byName = Object.fromEntries(packages.map((p) => [p.name, p]));
const kernel = packages.find((p) => p.dir === 'packages/kernel');
const tinkex = byName.tinkex;
if (!kernel || !tinkex || !byName['tinker-emulator'])
  fail('the kernel, tinker-emulator and tinkex must all be packed');
for (const p of packages) {
  for (const [dep, range] of Object.entries(p.manifest.dependencies ?? {})) {
    if (/^(file|link|workspace):/.test(range)) fail(`${p.name} depends on ${dep} by path (${range})`);
  }
}

// 2. An empty app outside the repository; install the tarballs only (plus @types/node for the TS check).
const app = join(work, 'app');
mkdirSync(app);
writeFileSync(
  join(app, 'package.json'),
  JSON.stringify(
    { name: 'pack-install-check-app', version: '1.0.0', private: true, type: 'module' },
    null,
    2,
  ),
);
const typesNode = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies['@types/node'];
run(
  'npm',
  [
    'install',
    '--no-audit',
    '--no-fund',
    '--prefer-offline',
    ...packages.map((p) => p.tarball),
    `@types/node@${typesNode}`,
  ],
  { cwd: app, label: `npm install ${packages.map((p) => p.name).join(' ')} (tarballs) in ${app}` },
);
for (const p of packages) {
  for (const dev of p.devOnly) {
    if (existsSync(join(app, 'node_modules', dev)) && !(dev in (p.manifest.peerDependencies ?? {}))) {
      process.stderr.write(
        `  note: ${dev} (a devDependency of ${p.name}) is present, pulled in by something else\n`,
      );
    }
  }
}

// 2a. No installed package makes `npm install` warn EBADENGINE on a Node we support: the app's lock
// records every package's engines, checked against the oldest Node 20, 22 and 24 whatever Node runs this.
const refused = refusedEngines(JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')).packages);
if (refused.length > 0) fail(`installing the tarballs warns EBADENGINE: ${refused.join('; ')}`);
process.stdout.write('engines: every installed package admits Node 20.19, 22.12 and 24\n');

// 2b. Every shipped source map can be followed: each source it names is in the package or embedded in
// the map (`sourcesContent`). Maps naming the repository's src/ files, which no tarball holds, sent
// `--enable-source-maps` stacks, debuggers and bundlers' source-map loaders to files that do not exist.
for (const p of packages) {
  const dir = join(app, 'node_modules', p.name);
  const broken = [];
  for (const file of readdirSync(dir, { recursive: true })) {
    if (!file.endsWith('.map')) continue;
    const map = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    map.sources.forEach((source, i) => {
      const embedded = typeof map.sourcesContent?.[i] === 'string';
      if (!embedded && !existsSync(join(dir, dirname(file), map.sourceRoot ?? '', source)))
        broken.push(`${file} -> ${source}`);
    });
  }
  if (broken.length > 0)
    fail(`${p.name} ships ${broken.length} source map entries naming missing files, e.g. ${broken[0]}`);
}
process.stdout.write('source maps: every source is shipped or embedded\n');

// 2b'. What the installed files import by name, each package declares (pnpm's and npm's linked layouts
// let a package see only its own dependencies).
for (const p of packages) {
  const dir = join(app, 'node_modules', p.name);
  const undeclared = ['types', 'import'].flatMap((condition) =>
    undeclaredImports(dir, p.manifest, condition),
  );
  if (undeclared.length > 0) fail(`${p.name} imports packages it does not declare: ${undeclared.join(', ')}`);
}
process.stdout.write('imports: every package a shipped file names is declared in its package.json\n');

// 2c. Each package carries its README, the LICENSE and the guides its README names (dist/docs/), so an
// install from a tarball or the registry has them offline.
for (const p of packages) {
  const dir = join(app, 'node_modules', p.name);
  const { guides = [] } = PACKAGES.find((pkg) => pkg.dir === p.dir);
  const readmeText = existsSync(join(dir, 'README.md')) ? readFileSync(join(dir, 'README.md'), 'utf8') : '';
  if (!readmeText.startsWith(`# ${p.name}\n`)) fail(`${p.name} ships no README.md of its own`);
  if (
    !/Apache License\s+Version 2\.0/.test(readFileSync(join(dir, 'LICENSE'), { encoding: 'utf8', flag: 'r' }))
  )
    fail(`${p.name} ships no Apache-2.0 LICENSE`);
  for (const guide of guides) {
    if (!existsSync(join(dir, 'dist', 'docs', guide))) fail(`${p.name} does not ship dist/docs/${guide}`);
    if (!readmeText.includes(`\`${guide}\``)) fail(`${p.name}'s README does not name ${guide}`);
  }
}
process.stdout.write('package files: README.md, LICENSE and the guides in dist/docs/ in each package\n');

// 4. A TypeScript consumer, type-checked against the shipped declarations (NodeNext, as an app would).
writeFileSync(
  join(app, 'consumer.ts'),
  `import { createKernel, definePlugin, defineManifest, Type } from '${kernel.name}';
import { ServiceClient, type SamplingClient } from 'tinkex';
import { l2 } from 'tinkex/regularizers';
import { create } from '${kernel.name}/protobuf';
import { startEmulator } from 'tinker-emulator';

export const kinds: [typeof createKernel, typeof definePlugin, typeof defineManifest, typeof Type, typeof l2, typeof create] = [
  createKernel, definePlugin, defineManifest, Type, l2, create,
];
export async function sampleOnce(): Promise<number> {
  const emulator = await startEmulator();
  const service = new ServiceClient({ base_url: emulator.url, api_key: 'tml-pack-check' });
  const training = await service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 4 });
  const sampler: SamplingClient = await training.saveWeightsAndGetSamplingClient();
  const { sequences } = await sampler.sample({ prompt: [1, 2], sampling_params: { max_tokens: 2 } });
  await service.close();
  await emulator.close();
  return sequences[0]?.tokens.length ?? 0;
}
`,
);
writeFileSync(
  join(app, 'tsconfig.json'),
  JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      noEmit: true,
      types: ['node'],
      skipLibCheck: false,
    },
    files: ['consumer.ts'],
  }),
);
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
run(process.execPath, [tsc, '-p', 'tsconfig.json'], {
  cwd: app,
  label: 'tsc --noEmit consumer.ts (strictest, NodeNext, skipLibCheck false)',
});
// The other resolutions the README names: node16, and bundler (Vite, esbuild, webpack apps); the strictest
// settings an app may add in each (the undici transport's `connectionsPerOrigin: number | undefined` did
// not implement the port under exactOptionalPropertyTypes).
for (const [module, moduleResolution] of [
  ['node16', 'node16'],
  ['esnext', 'bundler'],
]) {
  const flags = ['--noEmit', '--strict', '--exactOptionalPropertyTypes', '--noUncheckedIndexedAccess'];
  flags.push('--target', 'es2022', '--types', 'node', '--skipLibCheck', 'false');
  run(
    process.execPath,
    [tsc, ...flags, '--module', module, '--moduleResolution', moduleResolution, 'consumer.ts'],
    {
      cwd: app,
      label: `tsc --noEmit consumer.ts (strictest, ${moduleResolution}, skipLibCheck false)`,
    },
  );
}
/** The strictest settings an SDK author may compile with, against the shipped declarations. */
const STRICTEST = [
  '--strict',
  '--exactOptionalPropertyTypes',
  '--noUncheckedIndexedAccess',
  '--target',
  'es2022',
  '--module',
  'nodenext',
  '--types',
  'node',
  '--skipLibCheck',
  'false',
];
// docs/plugin-authoring.md as a new author follows it: its snippets (docs/snippets) in an app of their
// own, against the shipped declarations, under the strictest settings (a wrapper's `signal?:
// AbortSignal` passed on as `{ signal }` did not compile under exactOptionalPropertyTypes).
const guide = join(app, 'guide');
mkdirSync(guide);
for (const file of readdirSync(join(root, 'docs', 'snippets'))) {
  writeFileSync(join(guide, file), readFileSync(join(root, 'docs', 'snippets', file), 'utf8'));
}
// The README quickstart too: the first code a user pastes (`sequences[0].tokens` failed under
// noUncheckedIndexedAccess).
copyFileSync(
  join(root, 'examples/tinkex/examples/readme-quickstart.ts'),
  join(guide, 'readme-quickstart.ts'),
);
run(
  process.execPath,
  [tsc, '--noEmit', ...STRICTEST, ...readdirSync(guide).map((file) => join('guide', file))],
  { cwd: app, label: 'tsc --noEmit docs/snippets and the README quickstart (strictest, nodenext)' },
);
// An author's file typed against the kernel's declarations (scripts/pack-check/author-strict.ts): an
// input left out where none is required (and not where one is), poll protocols reading typed bodies,
// port tokens, options passed on as `undefined`; its `@ts-expect-error` lines must stay errors.
writeFileSync(join(app, 'author-strict.ts'), readFileSync(join(root, 'scripts/pack-check/author-strict.ts')));
run(process.execPath, [tsc, '--noEmit', ...STRICTEST, 'author-strict.ts'], {
  cwd: app,
  label: 'tsc --noEmit author-strict.ts (strictest, nodenext)',
});
// A CommonJS TypeScript app (README: `"module": "nodenext"`, which lets `require` load ES modules).
writeFileSync(
  join(app, 'consumer-cjs.cts'),
  `import tinkex = require('tinkex');
export const service: InstanceType<typeof tinkex.ServiceClient> = new tinkex.ServiceClient({ api_key: 'tml-pack-check' });
`,
);
run(
  process.execPath,
  [
    tsc,
    '--noEmit',
    '--strict',
    '--types',
    'node',
    '--module',
    'nodenext',
    '--skipLibCheck',
    'false',
    'consumer-cjs.cts',
  ],
  { cwd: app, label: 'tsc --noEmit consumer-cjs.cts (CommonJS, nodenext)' },
);
// The commonest CommonJS setup, `"module": "commonjs"` (node10 resolution): scripts/pack-check/consumer-node10.ts.
copyFileSync(join(root, 'scripts/pack-check/consumer-node10.ts'), join(app, 'consumer-node10.ts'));
run(
  process.execPath,
  [tsc, '--noEmit', ...STRICTEST.map((f) => (f === 'nodenext' ? 'commonjs' : f)), 'consumer-node10.ts'],
  { cwd: app, label: 'tsc --noEmit consumer-node10.ts (strictest, module commonjs)' },
);
process.stdout.write(
  'types: consumer.ts (NodeNext, node16, bundler), the guide snippets, consumer-cjs.cts and consumer-node10.ts type-check against the shipped .d.ts\n',
);

// 5. Import, require, the README quickstart and the bins: on this Node, then on each `--also-node`.
const say = (text) => process.stdout.write(text);
const versions = [process.execPath, ...alsoNodes].map((node) => {
  const from = Date.now();
  const version = useInstalled({ node, app, root, packages, run, fail, say });
  say(`used on node ${version}: ${((Date.now() - from) / 1000).toFixed(0)} s\n`);
  return version;
});

process.stdout.write(
  `pack-install-check: PASS (${packages.map((p) => p.name).join(', ')}; node ${versions.join(', ')}; ${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
);
