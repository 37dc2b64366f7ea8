// Shared Jest settings: native ESM + @swc/jest with legacy decorators and decorator metadata,
// the combination ts-sdk-anchors.md §5.6 found working on Node 20. Type errors are caught by `tsc --noEmit`.
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(fileURLToPath(import.meta.url));

/** @param {string} dir @param {string} name */
export function project(dir, name) {
  return {
    displayName: name,
    rootDir: dir,
    // Node's environment, plus a check that each file leaves no server, socket, child or timer open.
    testEnvironment: path.join(root, 'test/support/handle-checking-environment.js'),
    // End-to-end tests start servers and child processes; on a loaded 2-core machine 5 s is too tight.
    // A hang still fails, 30 s later. (Also set globally in jest.config.js: projects alone ignore it.)
    testTimeout: 30_000,
    extensionsToTreatAsEsm: ['.ts'],
    setupFiles: ['reflect-metadata'],
    testMatch: ['<rootDir>/test/**/*.test.ts'],
    moduleNameMapper: {
      '^pristine-kernel$': path.join(root, 'src/index.ts'),
      '^pristine-kernel/protobuf$': path.join(root, 'src/protobuf.ts'),
      '^tinkex$': path.join(root, 'examples/tinkex/src/index.ts'),
      '^tinkex/regularizers$': path.join(root, 'examples/tinkex/src/regularizers/index.ts'),
      '^tinker-emulator$': path.join(root, 'examples/tinker-emulator/src/index.ts'),
      '^(\\.{1,2}/.*)\\.js$': '$1',
    },
    transform: {
      '^.+\\.(t|j)s$': [
        '@swc/jest',
        {
          jsc: {
            parser: { syntax: 'typescript', decorators: true },
            transform: { legacyDecorator: true, decoratorMetadata: true },
            target: 'es2022',
          },
          module: { type: 'es6' },
        },
      ],
    },
  };
}
