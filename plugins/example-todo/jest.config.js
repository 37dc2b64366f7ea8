import { project } from '../../jest.preset.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const { displayName: _name, ...settings } = project(
  path.dirname(fileURLToPath(import.meta.url)),
  'example-todo',
);
export default settings;
