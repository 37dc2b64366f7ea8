import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startEmulator, type RunningEmulator } from 'tinker-emulator';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const example = fileURLToPath(new URL('../../examples/readme-quickstart.ts', import.meta.url));

describe('README code runs as written', () => {
  let emulator: RunningEmulator;
  const saved = { ...process.env };
  beforeAll(async () => {
    emulator = await startEmulator({ seed: 7 });
    Object.assign(process.env, {
      TINKER_BASE_URL: emulator.url,
      TINKER_API_KEY: 'tml-readme-test',
      TINKER_TELEMETRY: '0',
      TINKER_LOG: 'off',
    });
  });
  afterAll(async () => {
    process.env = saved;
    await emulator.close();
  });

  it('the README quickstart block is the example file, verbatim', () => {
    const readme = readFileSync(`${root}README.md`, 'utf8');
    const block = /## 30 seconds with Tinkex[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)![1];
    const file = readFileSync(example, 'utf8').split('\n').slice(1).join('\n');
    expect(file).toBe(block);
  });

  it('the example trains, samples and prints the learned text against the emulator', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await import('../../examples/readme-quickstart.js');
      expect(log).toHaveBeenCalledTimes(1);
      expect(String(log.mock.calls[0][0])).toContain(' brown fox');
    } finally {
      log.mockRestore();
    }
  }, 30_000);
});
