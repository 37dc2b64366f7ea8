// Module hooks that let a child `node` run TypeScript sources directly (a copy of Tinkex's CLI test
// hooks, kept here so kernel tests do not reach into an example): `pristine` maps to src/index.ts,
// `./x.js` resolves to `./x.ts`, and `.ts` files are compiled by @swc/core with the Jest settings.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import swc from '@swc/core';

const root = new URL('../../../', import.meta.url);
const aliases = {
  pristine: new URL('src/index.ts', root).href,
  tinkex: new URL('examples/tinkex/src/index.ts', root).href,
};

export async function resolve(specifier, context, next) {
  if (aliases[specifier]) return { url: aliases[specifier], shortCircuit: true };
  if (context.parentURL?.endsWith('.ts') && /^\.{1,2}\/.*\.js$/.test(specifier)) {
    const candidate = new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL);
    if (existsSync(fileURLToPath(candidate))) return { url: candidate.href, shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.endsWith('.ts')) return next(url, context);
  const filename = fileURLToPath(url);
  const { code } = swc.transformSync(readFileSync(filename, 'utf8'), {
    filename,
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'es6' },
  });
  return { format: 'module', source: code, shortCircuit: true };
}
