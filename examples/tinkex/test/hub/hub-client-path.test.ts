import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptureLogger, Ports } from 'pristine-kernel';
import { startEmulator, type RunningEmulator } from 'tinker-emulator';
import { ServiceClient } from '../../src/index.js';
import { BYTE_LEVEL_TOKENIZER_JSON } from '../support/byte-level.js';
import { startFakeHub, TEST_TOKEN, type FakeHub } from '../support/fake-hub/index.js';
import { startForwarder, type Host } from '../support/loopback-hosts.js';

/**
 * A client's Hub requests (`getTokenizer` of a model whose tokenizer is not cached) take the client's
 * path, as its Tinker calls do: they are logged through its own logger, with the `hf_` token masked
 * (nothing goes to a logger of the Hub's own on stderr), and go through its `proxy`.
 */
describe("Hub requests of a client's getTokenizer", () => {
  let hub: FakeHub;
  let emulator: RunningEmulator;
  let work: string;
  let proxy: Host;
  let n = 0;
  /** A fresh cache each time, so each download really goes out. */
  const cacheDir = () => join(work, `cache-${n++}`);

  beforeAll(async () => {
    hub = await startFakeHub();
    emulator = await startEmulator({ seed: 7 });
    work = await mkdtemp(join(tmpdir(), 'tinkex-hub-client-log-'));
    proxy = await startForwarder(() => hub.url);
    hub.seed('Qwen/Qwen3-8B', { 'tokenizer.json': BYTE_LEVEL_TOKENIZER_JSON });
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await emulator.close();
    await proxy.close();
    await hub.close();
    await rm(work, { recursive: true, force: true });
  });

  it('go to the kernel logger at debug, the token masked, and not to stderr', async () => {
    let logger!: CaptureLogger;
    const service = new ServiceClient({
      api_key: 'tml-hub-client-log',
      base_url: emulator.url,
      telemetry: false,
      env: {},
      configureKernel: (kernel) => {
        // A user's logger that knows only the Tinker client's secrets, not the Hub token.
        logger = new CaptureLogger({ level: 'debug', secrets: kernel.secrets });
        kernel.register(Ports.Logger, logger);
      },
    });
    const written: string[] = [];
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const sampler = await service.createSamplingClient({ base_model: 'Qwen/Qwen3-8B' });
      const before = hub.requests.length;
      const tokenizer = await sampler.getTokenizer({
        hubUrl: hub.url,
        cacheDir: cacheDir(),
        env: { HF_TOKEN: TEST_TOKEN, TINKER_LOG: 'debug' },
      });
      expect(tokenizer.encode('hi').length).toBeGreaterThan(0);
      const sent = hub.requests.length - before;
      expect(sent).toBeGreaterThan(0);
      const hubLines = logger.records.filter((r) => r.fields.endpoint === 'huggingface_hub');
      expect(hubLines.filter((r) => r.message.startsWith('request GET '))).toHaveLength(sent);
      expect(hubLines[0]).toMatchObject({
        level: 'debug',
        message: expect.stringMatching(/^request GET http:.*\/api\/models\/Qwen\/Qwen3-8B\/revision\/main/),
      });
      expect(JSON.stringify(logger.records)).not.toContain(TEST_TOKEN);
    } finally {
      jest.restoreAllMocks();
      await service.close();
    }
    expect(written.join('')).not.toContain('huggingface_hub');
  });

  it("go through the client's proxy option, as its Tinker calls do", async () => {
    const service = new ServiceClient({
      api_key: 'tml-hub-client-proxy',
      base_url: emulator.url,
      proxy: proxy.url,
      telemetry: false,
      log_level: 'off',
      env: {},
    });
    try {
      const sampler = await service.createSamplingClient({ base_model: 'Qwen/Qwen3-8B' });
      const tunnelsBefore = proxy.seen.length;
      await sampler.getTokenizer({ hubUrl: hub.url, cacheDir: cacheDir(), env: { HF_TOKEN: TEST_TOKEN } });
      const tunnels = proxy.seen.slice(tunnelsBefore).map((headers) => headers.host);
      expect(tunnels).toContain(new URL(hub.url).host);
    } finally {
      await service.close();
    }
  });
});
