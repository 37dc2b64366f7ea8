import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BYTE_LEVEL_CONFIG_JSON, BYTE_LEVEL_TOKENIZER_JSON } from '../support/byte-level.js';
import { startFakeHub, TEST_TOKEN, type FakeHub } from '../support/fake-hub/index.js';
import { docBlock, emulatorForDocs, exampleBody } from './doc-example.js';

/**
 * The end-to-end example: train a few steps on the emulator, save, push the adapter to a Hub, and load a
 * tokenizer from that Hub; here a fake Hub on loopback, reached through HF_ENDPOINT as a reader would set it.
 */
describe('docs/tinkex.md "Hugging Face Hub" runs as written', () => {
  const docs = emulatorForDocs('tml-hub-docs');
  let hub: FakeHub;
  let home: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    hub = await startFakeHub();
    home = await mkdtemp(join(tmpdir(), 'tinkex-hub-docs-'));
    hub.seed('Qwen/Qwen3-8B', {
      'tokenizer.json': BYTE_LEVEL_TOKENIZER_JSON,
      'tokenizer_config.json': BYTE_LEVEL_CONFIG_JSON,
    });
    Object.assign(process.env, { HF_ENDPOINT: hub.url, HF_TOKEN: TEST_TOKEN, HF_HOME: home });
  });
  afterAll(async () => {
    for (const key of ['HF_ENDPOINT', 'HF_TOKEN', 'HF_HOME']) delete process.env[key];
    Object.assign(process.env, saved);
    await hub.close();
    await rm(home, { recursive: true, force: true });
  });

  it('the docs block is the example file, verbatim', () => {
    expect(exampleBody('hub-roundtrip.ts')).toBe(docBlock('docs/tinkex.md', '## Hugging Face Hub'));
  });

  it('trains, pushes the adapter to the Hub and loads a tokenizer from it', async () => {
    expect(docs.emulator.url).toBeTruthy();
    const log = jest.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await import('../../examples/hub-roundtrip.js');
      const lines = log.mock.calls.map((c) => String(c[0]));
      expect(lines[0]).toBe('committing…');
      const [, repo, revision] = /^(alice\/tinker-Llama-3\.2-1B-[^@]+)@(weights-hub-demo): (.*)$/.exec(
        lines[1],
      )!;
      expect(lines[1]).toMatch(/: README\.md, adapter_config\.json, adapter_model\.safetensors$/);
      expect(lines[2]).toBe('Qwen/Qwen3-8B: 3 tokens');
      expect(hub.files(repo, revision).get('adapter_model.safetensors')!.length).toBeGreaterThan(
        4096 * 8 * 4,
      );
      expect(existsSync(join(home, 'hub', 'models--Qwen--Qwen3-8B', 'refs', 'main'))).toBe(true);
    } finally {
      log.mockRestore();
    }
  }, 60_000);
});
