// Module hooks that let a child `node` run the TypeScript sources directly, so CLI tests spawn the real
// `src/cli/main.ts` without a build. One implementation for the whole workspace (the root's
// test/support/ts-loader-hooks.mjs): `pristine`/`tinkex`/`tinker-emulator` map to their sources (as in
// jest.preset.js), `./x.js` resolves to `./x.ts`, and `.ts` files are compiled by @swc/core with the Jest
// settings.
export { load, resolve } from '../../../../../test/support/ts-loader-hooks.mjs';
