import { createRequire } from 'node:module';
import type { DependencyContainer } from 'tsyringe';

/*
 * tsyringe and its Reflect polyfill are CommonJS, loaded with `require` rather than `import`: for every
 * CommonJS file an ES module imports, Node's ESM loader first lexes the source for its export names (in
 * JavaScript on Node 20), and reflect-metadata's 64 KB made that lexer hot enough for TurboFan. The
 * compilation's scratch memory stayed in the process: `import('tinkex')` was 3–4 MiB larger
 * (docs/performance-notes.md, round 5). `require` runs the files without the lexer. The order matters:
 * tsyringe throws at load time when `Reflect.getMetadata` is missing.
 */
const require = createRequire(import.meta.url);
require('reflect-metadata');

/** tsyringe's global container; every kernel builds a child container from it. */
export const rootContainer: DependencyContainer = (require('tsyringe') as typeof import('tsyringe'))
  .container;
