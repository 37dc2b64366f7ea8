import { project } from '../../jest.preset.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Standalone run (`cd examples/tinker-emulator && npm test`); the root config includes this package too.
const { displayName: _name, ...settings } = project(
  path.dirname(fileURLToPath(import.meta.url)),
  'tinker-emulator',
);
export default settings;
