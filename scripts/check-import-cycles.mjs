// Import cycles in the TypeScript sources, type-only imports included (house style: none at all; a
// cycle of types still couples two modules both ways and usually hides a missing shared module).
// `node scripts/check-import-cycles.mjs [dir…]` (default: every package's src) prints each cycle and
// exits 1 if there is one; the test suite runs it (test/architecture/import-cycles.test.ts). Only relative specifiers are followed: packages
// import each other by name, and a cycle between packages would fail their builds anyway.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileImportSpecifiers } from './import-specifiers.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The source folders checked: the kernel and every example/plugin package's src. */
export function sourceRoots() {
  const roots = [join(root, 'src')];
  for (const parent of ['examples', 'plugins']) {
    for (const name of readdirSync(join(root, parent))) {
      const src = join(root, parent, name, 'src');
      if (existsSync(src)) roots.push(src);
    }
  }
  return roots;
}

function tsFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return /\.(m|c)?ts$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function edgesOf(file) {
  const targets = new Set();
  for (const specifier of fileImportSpecifiers(file)) {
    if (!/^\.{1,2}\//.test(specifier)) continue;
    const base = resolve(dirname(file), specifier);
    const candidates = [base.replace(/\.(m|c)?js$/, '.$1ts'), base, `${base}.ts`, join(base, 'index.ts')];
    const target = candidates.find((c) => existsSync(c) && statSync(c).isFile());
    if (target && /\.(m|c)?ts$/.test(target)) targets.add(target);
  }
  return [...targets];
}

/**
 * Every cycle (a strongly connected component of more than one file, or a file importing itself).
 * `graph` receives each module's imports (file → files).
 */
export function findCycles(roots = sourceRoots(), graph = new Map()) {
  for (const dir of roots) for (const file of tsFiles(dir)) graph.set(file, edgesOf(file));
  // Tarjan's algorithm, iterative so deep import chains cannot overflow the stack.
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const onStack = new Set();
  const stack = [];
  const cycles = [];
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work = [[start, 0]];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const [node, i] = frame;
      const next = (graph.get(node) ?? [])[i];
      if (next !== undefined) {
        frame[1]++;
        if (!graph.has(next)) continue;
        if (!index.has(next)) {
          index.set(next, counter);
          low.set(next, counter++);
          stack.push(next);
          onStack.add(next);
          work.push([next, 0]);
        } else if (onStack.has(next)) {
          low.set(node, Math.min(low.get(node), index.get(next)));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1][0];
        low.set(parent, Math.min(low.get(parent), low.get(node)));
      }
      if (low.get(node) === index.get(node)) {
        const component = [];
        let member;
        do {
          member = stack.pop();
          onStack.delete(member);
          component.push(member);
        } while (member !== node);
        if (component.length > 1 || graph.get(node).includes(node)) {
          cycles.push(component.map((file) => relative(root, file)).sort());
        }
      }
    }
  }
  return cycles;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dirs = process.argv.slice(2).map((dir) => resolve(dir));
  const graph = new Map();
  const cycles = findCycles(dirs.length > 0 ? dirs : sourceRoots(), graph);
  for (const cycle of cycles) process.stdout.write(`import cycle: ${cycle.join(' <-> ')}\n`);
  process.stdout.write(`${cycles.length} import cycle(s) among ${graph.size} modules\n`);
  process.exit(cycles.length === 0 ? 0 : 1);
}
