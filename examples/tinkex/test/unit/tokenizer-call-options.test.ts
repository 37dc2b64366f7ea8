import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { APITimeoutError, FakeClock, Ports, ValidationError } from 'pristine-kernel';
import { startEmulator, type RunningEmulator } from 'tinker-emulator';
import { ServiceClient, type SamplingClient } from '../../src/index.js';

/**
 * `encode` / `decode` may have to download the tokenizer first, so they take the request options of
 * every call: `timeoutMs` bounds the download (it was once accepted and ignored, which left a stalled
 * Hub unbounded) and a misspelt option is refused. The Hub here accepts connections and never answers;
 * time runs on a test clock.
 */
describe('encode and decode take RequestOptions', () => {
  let emulator: RunningEmulator;
  let stalledHub: Server;
  const sockets: Socket[] = [];
  let connected: Promise<void>;
  let cache: string;
  const saved = { ...process.env };
  let service: ServiceClient;
  let sampler: SamplingClient;
  const clock = new FakeClock();

  beforeAll(async () => {
    emulator = await startEmulator({ seed: 7 });
    let sawConnection!: () => void;
    connected = new Promise((resolve) => (sawConnection = resolve));
    stalledHub = createServer((socket) => {
      sockets.push(socket);
      sawConnection();
    });
    await new Promise<void>((resolve) => stalledHub.listen(0, '127.0.0.1', resolve));
    cache = await mkdtemp(join(tmpdir(), 'tinkex-tokenizer-options-'));
    // The tokenizer is looked up in these caches (empty) and then fetched from HF_ENDPOINT.
    delete process.env.TINKEX_TOKENIZER_CACHE;
    process.env.HF_HUB_CACHE = cache;
    process.env.HF_HOME = cache;
    process.env.HF_ENDPOINT = `http://127.0.0.1:${(stalledHub.address() as AddressInfo).port}`;
    service = new ServiceClient({
      api_key: 'tml-tokenizer-options',
      base_url: emulator.url,
      telemetry: false,
      log_level: 'off',
      env: {},
      configureKernel: (kernel) => kernel.register(Ports.Clock, clock),
    });
    sampler = await service.createSamplingClient({ base_model: 'Qwen/Qwen3-8B' });
  });
  afterAll(async () => {
    process.env = saved;
    await service.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => stalledHub.close(resolve));
    await emulator.close();
    await rm(cache, { recursive: true, force: true });
  });

  it('refuses a misspelt or invalid option before loading anything', async () => {
    // Connections the Hub saw so far (the other test, in a randomized order, may have opened some).
    const connectionsBefore = sockets.length;
    await expect(sampler.encode('hi', { timeout: 5 } as never)).rejects.toThrow(
      /timeout: is not an encode option \(did you mean "timeoutMs"\?\)/,
    );
    await expect(sampler.encode('hi', { add_special_tokens: 'yes' } as never)).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(sampler.decode([1], { timeoutMs: -1 })).rejects.toBeInstanceOf(ValidationError);
    expect(sockets).toHaveLength(connectionsBefore);
  });

  // Found on a first day (round 30): the Python cookbook's `decode(tokens, skip_special_tokens=True)`
  // had no spelling here (refused: "not a decode option").
  it('decode takes skip_special_tokens next to the request options, checked the same way', async () => {
    const own = new ServiceClient({
      api_key: 'tml-decode',
      base_url: emulator.url,
      telemetry: false,
      env: {},
    });
    try {
      const training = await own.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 1 });
      await expect(
        training.decode([104, 105], { skip_special_tokens: true, timeoutMs: 5_000 }),
      ).resolves.toBe('hi');
      await expect(training.decode([104], { skip_special_tokens: 'yes' } as never)).rejects.toThrow(
        /skip_special_tokens/,
      );
    } finally {
      await own.close();
    }
  });

  it('timeoutMs bounds a tokenizer download that never answers', async () => {
    const encoding = sampler.encode('hi', { timeoutMs: 5_000 });
    const outcome = encoding.then(
      () => 'resolved',
      (error: unknown) => error,
    );
    await connected;
    await clock.advance(5_000);
    const error = await outcome;
    expect(error).toBeInstanceOf(APITimeoutError);
    expect(String((error as Error).message)).toContain('encode');
  });
});
