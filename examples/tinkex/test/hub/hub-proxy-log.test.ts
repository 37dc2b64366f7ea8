import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pristine-kernel';
import { getTokenizer } from '../../src/tokenizer/get-tokenizer.js';
import { BYTE_LEVEL_TOKENIZER_JSON } from '../support/byte-level.js';
import { startFakeHub, TEST_TOKEN, type FakeHub } from '../support/fake-hub/index.js';
import { startForwarder, type Host } from '../support/loopback-hosts.js';

/** A logger that keeps what it is given as is: whatever it holds, a careless real logger would print. */
function rawLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (message: string, fields?: Record<string, unknown>) =>
    lines.push(JSON.stringify({ message, ...fields }));
  return { level: 'debug', lines, debug: keep, info: keep, warn: keep, error: keep };
}

/**
 * Hub traffic (the tokenizer download through `@huggingface/hub`) takes the network path of Tinker calls:
 * the proxy of HTTP(S)_PROXY unless NO_PROXY lists the host, and a debug line per request and response
 * with the token masked. The fake Hub is plain http on loopback, so HTTP_PROXY is the variable that
 * applies (HTTPS_PROXY for https://huggingface.co, by the same rule as Tinker calls).
 */
describe('Hugging Face Hub requests: proxy and debug log', () => {
  let hub: FakeHub;
  let proxy: Host;
  let work: string;
  let n = 0;
  /** A fresh cache each time, so each download really goes out. */
  const cacheDir = () => join(work, `cache-${n++}`);

  beforeAll(async () => {
    hub = await startFakeHub();
    proxy = await startForwarder(() => hub.url);
    work = await mkdtemp(join(tmpdir(), 'tinkex-hub-proxy-'));
    hub.seed('acme/tok', { 'tokenizer.json': BYTE_LEVEL_TOKENIZER_JSON }, { owner: 'alice', private: true });
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });
  afterAll(async () => {
    await proxy.close();
    await hub.close();
    await rm(work, { recursive: true, force: true });
  });

  it('go through HTTP_PROXY (Hub and CDN alike) and are logged at debug, the token masked', async () => {
    const logger = rawLogger();
    const before = hub.requests.length;
    await getTokenizer('acme/tok', {
      hubUrl: hub.url,
      cacheDir: cacheDir(),
      env: { HTTP_PROXY: proxy.url, HF_TOKEN: TEST_TOKEN },
      logger,
    });
    const sent = hub.requests.length - before;
    expect(sent).toBeGreaterThan(0);
    // undici tunnels every proxied request (CONNECT host:port), one tunnel per connection.
    const tunnels = proxy.seen.map((headers) => headers.host);
    expect(tunnels).toContain(new URL(hub.url).host);
    expect(tunnels).toContain(new URL(hub.cdnUrl).host);

    const requests = logger.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const out = requests.filter((r) => String(r.message).startsWith('request GET'));
    expect(out).toHaveLength(sent);
    expect(out[0]).toMatchObject({
      message: expect.stringMatching(/^request GET http:.*\/api\/models\/acme\/tok\/revision\/main\?/),
      proxy: proxy.url,
      headers: expect.objectContaining({ authorization: '[REDACTED]' }),
    });
    expect(requests.filter((r) => /^response \d+ GET /.test(String(r.message)))).toHaveLength(sent);
    expect(logger.lines.join('\n')).not.toContain(TEST_TOKEN);
  });

  it('take HTTP_PROXY=user:pass@host:port (no scheme) as http://, its password masked in the log', async () => {
    // Read as curl and httpx read it; before, such a value failed every request (ERR_INVALID_URL).
    const logger = rawLogger();
    const tunnelsBefore = proxy.seen.length;
    await getTokenizer('acme/tok', {
      hubUrl: hub.url,
      cacheDir: cacheDir(),
      env: { HTTP_PROXY: `alice:hub-pr0xy-pass@${new URL(proxy.url).host}`, HF_TOKEN: TEST_TOKEN },
      logger,
    });
    expect(proxy.seen.length).toBeGreaterThan(tunnelsBefore);
    expect(logger.lines.join('\n')).toContain('"proxy":"http://***:***@');
    expect(logger.lines.join('\n')).not.toContain('hub-pr0xy-pass');
  });

  it('skip the proxy for hosts NO_PROXY lists, unless TINKEX_PROXY names one, as Tinker calls do', async () => {
    const download = (env: Record<string, string>) =>
      getTokenizer('acme/tok', {
        hubUrl: hub.url,
        cacheDir: cacheDir(),
        env: { ...env, NO_PROXY: 'localhost,127.0.0.1', HF_TOKEN: TEST_TOKEN },
        logger: rawLogger(),
      });
    const tunnelsBefore = proxy.seen.length;
    const before = hub.requests.length;
    await download({ HTTP_PROXY: proxy.url });
    expect(hub.requests.length).toBeGreaterThan(before);
    expect(proxy.seen.length).toBe(tunnelsBefore);
    await download({ TINKEX_PROXY: proxy.url });
    expect(proxy.seen.length).toBeGreaterThan(tunnelsBefore);
  });

  it('by default log JSON lines on stderr at TINKER_LOG=debug, scrubbed of the token', async () => {
    const written: string[] = [];
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    await getTokenizer('acme/tok', {
      hubUrl: hub.url,
      cacheDir: cacheDir(),
      env: { TINKER_LOG: 'debug', HF_TOKEN: TEST_TOKEN },
    });
    jest.restoreAllMocks();
    const lines = written.join('').trim().split('\n');
    expect(lines.map((line) => JSON.parse(line).message)).toContainEqual(
      expect.stringMatching(/^response 200 GET http:.*\/api\/models\/acme\/tok\/revision\/main\?/),
    );
    expect(written.join('')).not.toContain(TEST_TOKEN);
  });
});
