import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startEmulator, type RunningEmulator } from 'tinker-emulator';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const example = fileURLToPath(new URL('../../examples/metrics.ts', import.meta.url));

describe('docs/tinkex.md "Metrics" runs as written', () => {
  let emulator: RunningEmulator;
  const saved = { ...process.env };
  beforeAll(async () => {
    emulator = await startEmulator({ seed: 7 });
    Object.assign(process.env, {
      TINKER_BASE_URL: emulator.url,
      TINKER_API_KEY: 'tml-metrics-test',
      TINKER_TELEMETRY: '0',
      TINKER_LOG: 'off',
    });
  });
  afterAll(async () => {
    process.env = saved;
    await emulator.close();
  });

  it('the docs block is the example file, verbatim', () => {
    const docs = readFileSync(`${root}docs/tinkex.md`, 'utf8');
    const block = /## Metrics[\s\S]*?```ts\n([\s\S]*?)```/.exec(docs)![1];
    const file = readFileSync(example, 'utf8').split('\n').slice(1).join('\n');
    expect(file).toBe(block);
  });

  it('prints the call count, ordered percentiles and the request count', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await import('../../examples/metrics.js');
      const lines = log.mock.calls.map((c) => String(c[0]));
      expect(lines[0]).toBe('forward_backward calls: 5');
      expect(lines[1]).toBe('p50 ≤ p95 ≤ p99: true');
      // At least create_session, create_model and one request per call, plus their polls.
      const requests = Number(/^requests: (\d+), retries: 0$/.exec(lines[2])![1]);
      expect(requests).toBeGreaterThanOrEqual(12);
    } finally {
      log.mockRestore();
    }
  }, 30_000);
});
