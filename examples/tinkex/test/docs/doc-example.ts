import { afterAll, beforeAll } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startEmulator, type RunningEmulator } from 'tinker-emulator';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * An emulator for this test file, with the environment a reader of the docs would have set
 * (`TINKER_BASE_URL`, `TINKER_API_KEY`), restored afterwards. Call at the top of a `describe`.
 */
export function emulatorForDocs(apiKey: string): { readonly emulator: RunningEmulator } {
  const state = {} as { emulator: RunningEmulator };
  const saved = { ...process.env };
  beforeAll(async () => {
    state.emulator = await startEmulator({ seed: 7 });
    Object.assign(process.env, {
      TINKER_BASE_URL: state.emulator.url,
      TINKER_API_KEY: apiKey,
      TINKER_TELEMETRY: '0',
      TINKER_LOG: 'off',
    });
  });
  afterAll(async () => {
    process.env = saved;
    await state.emulator.close();
  });
  return state;
}

/** The first ```ts block after `heading` in a file of the repository (e.g. `docs/tinkex.md`). */
export function docBlock(file: string, heading: string): string {
  const text = readFileSync(`${root}${file}`, 'utf8');
  const start = text.indexOf(heading);
  if (start < 0) throw new Error(`${file} has no heading "${heading}"`);
  return /```ts\n([\s\S]*?)```/.exec(text.slice(start))![1];
}

/** An example file under examples/tinkex/examples/, minus its first line (the comment naming the doc). */
export function exampleBody(name: string): string {
  const path = fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));
  return readFileSync(path, 'utf8').split('\n').slice(1).join('\n');
}
