import { describe, expect, it, jest } from '@jest/globals';
import { docBlock, emulatorForDocs, exampleBody } from './doc-example.js';

/** Run an example module with console.log captured; its printed lines. */
async function run(name: string): Promise<string[]> {
  const log = jest.spyOn(console, 'log').mockImplementation(() => {});
  try {
    await import(`../../examples/${name}`);
    return log.mock.calls.map((c) => String(c[0]));
  } finally {
    log.mockRestore();
  }
}

describe('docs/tinkex.md "Recovery" runs as written', () => {
  const env = emulatorForDocs('tml-recovery-docs-test');

  it('the docs block is the example file, verbatim', () => {
    expect(exampleBody('recovery.ts')).toBe(docBlock('docs/tinkex.md', '## Recovery'));
  });

  it('detects the corrupted run, recovers from step-3 with the optimizer and trains on', async () => {
    expect(await run('recovery.js')).toEqual([
      'run corrupted',
      'recovered from weights/step-3',
      'training goes on: true',
    ]);
    const loads = env.emulator
      .requestLog()
      .filter((r) => r.path === '/api/v1/load_weights')
      .map((r) => r.body);
    expect(loads).toEqual([expect.objectContaining({ optimizer: true })]);
  });
});

describe('docs/tinkex.md "Telemetry and logs" runs as written', () => {
  const env = emulatorForDocs('tml-telemetry-docs-test');

  it('the docs block is the example file, verbatim', () => {
    expect(exampleBody('telemetry.ts')).toBe(docBlock('docs/tinkex.md', '## Telemetry and logs'));
  });

  it('reports the REST error and the custom event session-less', async () => {
    expect(await run('telemetry.js')).toEqual(['NotFoundError, reported', 'session-less: true']);
    const batches = env.emulator.state.telemetry as {
      session_id: string;
      events: { event_name?: string }[];
    }[];
    expect(batches.every((b) => b.session_id.startsWith('sessionless-'))).toBe(true);
    const names = batches.flatMap((b) => b.events.map((e) => e.event_name));
    expect(names).toEqual(expect.arrayContaining(['user_error', 'my_app.epoch_done']));
    expect(env.emulator.requestLog().some((r) => r.path === '/api/v1/create_session')).toBe(false);
  });
});
