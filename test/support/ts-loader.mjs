// Runs the workspace's TypeScript sources directly in a spawned Node process (`node --import
// ./test/support/ts-loader.mjs src/....ts`), so tests can spawn the CLIs from a clean clone without a
// build. Same swc settings as jest.preset.js; `.js` specifiers resolve to their `.ts` sources, and the
// workspace package names map to their sources as in jest.preset.js.
import { register } from 'node:module';

register('./ts-loader-hooks.mjs', import.meta.url);
