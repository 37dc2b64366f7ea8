import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { existsSync, realpathSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docBlock, emulatorForDocs, exampleBody } from './doc-example.js';

/** Run an example file, returning what it printed (one string per console.log). */
async function printed(load: () => Promise<unknown>): Promise<string[]> {
  const log = jest.spyOn(console, 'log').mockImplementation(() => {});
  try {
    await load();
    return log.mock.calls.map((call) =>
      call.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(' '),
    );
  } finally {
    log.mockRestore();
  }
}

describe('the code blocks of docs/tinkex.md run as written', () => {
  const env = emulatorForDocs('tml-guide-snippets');

  it.each([
    ['service-client.ts', 'docs/tinkex.md', '## ServiceClient'],
    ['futures.ts', 'docs/tinkex.md', '## Futures'],
    ['custom-losses.ts', 'docs/tinkex.md', '### Custom losses'],
    ['sampling.ts', 'docs/tinkex.md', '## SamplingClient'],
    ['checkpoint-download.ts', 'docs/tinkex.md', '## Checkpoint download'],
  ])('%s is the block of %s %s, verbatim', (example, doc, heading) => {
    expect(exampleBody(example)).toBe(docBlock(doc, heading));
  });

  it('ServiceClient: the options reach the server (tags, user metadata) and a model is created', async () => {
    const before = env.emulator.requestLog().length;
    const lines = await printed(() => import('../../examples/service-client.js'));
    expect(lines).toEqual([expect.stringMatching(/^model: \S+:train:\d+$/)]);
    const session = env.emulator
      .requestLog()
      .slice(before)
      .find((r) => r.path === '/api/v1/create_session');
    expect(session?.body).toMatchObject({ tags: ['docs'], user_metadata: { team: 'research' } });
  });

  it('Futures: twenty pipelined steps train in call order; a future is accepted before its result', async () => {
    const lines = await printed(() => import('../../examples/futures.js'));
    // Twenty steps at 1e-4 on one text cut the emulator's cross-entropy by more than 90 %: every
    // optimStep was applied, each after the forwardBackward submitted before it.
    const [, first, last] = /^loss: ([\d.]+) → ([\d.]+)$/.exec(lines[0])!.map(Number);
    expect(last).toBeLessThan(first * 0.1);
    expect(lines[1]).toBe('accepted: true loss: true');
  });

  it('Custom losses: a hand-written gradient and tfjs autodiff give the same loss', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {}); // tfjs's "install tfjs-node"
    try {
      const lines = await printed(() => import('../../examples/custom-losses.js'));
      const [name, manual, auto] = lines[0].split(' ');
      expect(name).toBe('custom_loss:sum');
      expect(Number(manual)).toBeGreaterThan(1);
      expect(Number(auto)).toBeCloseTo(Number(manual), 3);
    } finally {
      warn.mockRestore();
    }
  });

  it('SamplingClient: two samples with prompt logprobs, a stream, and per-token logprobs', async () => {
    const before = env.emulator.requestLog().length;
    const lines = await printed(() => import('../../examples/sampling.js'));
    // 'The quick brown' is 15 byte tokens; the first has no logprob (nothing precedes it).
    expect(lines[0]).toBe('samples: 2 prompt logprobs: 15');
    const [, streamed, decoded] = /^streamed tokens: (\d+) (\w+)$/.exec(lines[1])!;
    expect(Number(streamed)).toBeGreaterThan(0);
    expect(Number(streamed)).toBeLessThanOrEqual(32);
    expect(decoded).toBe('true');
    expect(lines[2]).toBe('logprobs: 15 null');
    const paths = env.emulator
      .requestLog()
      .slice(before)
      .map((r) => r.path);
    expect(paths).toContain('/api/v1/stream_sample');
  });

  describe('Checkpoint download, from a fresh working directory', () => {
    const cwd = process.cwd();
    let dir: string;
    beforeAll(async () => {
      dir = realpathSync(await mkdtemp(join(tmpdir(), 'tinkex-download-doc-')));
      process.chdir(dir);
    });
    afterAll(async () => {
      process.chdir(cwd);
      await rm(dir, { recursive: true, force: true });
    });

    it('the checkpoint lands in its own folder under ./models, complete', async () => {
      const lines = await printed(() => import('../../examples/checkpoint-download.js'));
      const runFolder = /^\S+\/models\/(\S+_weights_step-100)$/.exec(lines[0])![1];
      expect(lines[0]).toBe(join(dir, 'models', runFolder));
      expect(await readdir(join(dir, 'models'))).toEqual([runFolder]);
      const files = ['adapter_config.json', 'adapter_model.safetensors', 'checkpoint_complete'];
      for (const file of files) expect(existsSync(join(lines[0], file))).toBe(true);
      const [, count, bytes, listed] = /^(\d+) files, (\d+) bytes: (.*)$/.exec(lines[1])!;
      expect({ count, listed: listed.split(', ').sort() }).toEqual({ count: '3', listed: files });
      expect(Number(bytes)).toBeGreaterThan(1000);
    });
  });
});
