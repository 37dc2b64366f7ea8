import { afterEach, expect, it } from '@jest/globals';
import { startEmulator } from 'tinker-emulator';
import { ServiceClient } from '../../src/index.js';
import { PROTOCOL_VERSION } from '../../src/protocol/flags.js';
import { VERSION } from '../../src/version.js';
import { headTap, type TappedRequest } from '../support/head-tap.js';
import { API_KEY, bytes, describeInModes } from './harness.js';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

const OS: Record<string, string> = { darwin: 'MacOS', linux: 'Linux', win32: 'Windows', freebsd: 'FreeBSD' };
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/.source;
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The header lines the official Python SDK's set gives, in the order Tinkex writes them. */
const platformLines = (accept: string, readTimeout: string) => [
  `user-agent: Tinkex/TypeScript ${VERSION}`,
  `accept: ${accept}`,
  `x-stainless-package-version: ${PROTOCOL_VERSION}`,
  `x-stainless-os: ${OS[process.platform] ?? `Other:${process.platform}`}`,
  `x-stainless-arch: ${process.arch}`,
  'x-stainless-runtime: node',
  `x-stainless-runtime-version: ${process.version}`,
  'x-stainless-lang: js',
  'accept-encoding: gzip, deflate, zstd',
  `x-stainless-read-timeout: ${readTimeout}`,
];

/** The whole head as a pattern: literal lines, with the few per-request values as patterns. */
function headPattern(requestLine: string, port: string, lines: Array<string | RegExp>): RegExp {
  const all = [requestLine, `host: 127.0.0.1:${port}`, 'connection: keep-alive', ...lines];
  return new RegExp(`^${all.map((l) => (typeof l === 'string' ? escaped(l) : l.source)).join('\\r\\n')}$`);
}

const kernelLines = [
  'x-stainless-retry-count: 0',
  new RegExp(`x-idempotency-key: stainless-node-retry-${UUID}`),
  'content-type: application/json',
  `x-api-key: ${API_KEY}`,
  /content-length: \d+/,
];

describeInModes(['v025'], 'the request head on the wire, byte for byte', () => {
  it('writes the same header names, values, letter case and order for asample and retrieve_future', async () => {
    const emulator = await startEmulator({ seed: 7 });
    const tap = await headTap(emulator.url);
    const service = new ServiceClient({
      api_key: API_KEY,
      base_url: tap.url,
      telemetry: false,
      log_level: 'off',
      env: {},
    });
    cleanup = async () => {
      await service.close();
      await tap.close();
      await emulator.close();
    };
    const sampler = await service.createSamplingClient({ base_model: 'meta-llama/Llama-3.2-1B' });
    // Twice: the second call is built from whatever the first left behind (caches, shared objects).
    for (let i = 0; i < 2; i++)
      await sampler.sample({ prompt: bytes('he'), sampling_params: { max_tokens: 2 } });
    const port = new URL(tap.url).port;
    const heads = (path: string) =>
      tap.requests.filter((r: TappedRequest) => r.head.startsWith(`POST ${path} `)).map((r) => r.head);

    const session = heads('/api/v1/create_session');
    expect(session).toHaveLength(1);
    expect(session[0]).toMatch(
      headPattern('POST /api/v1/create_session HTTP/1.1', port, [
        ...platformLines('application/json', '60'),
        ...kernelLines,
      ]),
    );
    const submits = heads('/api/v1/asample');
    expect(submits).toHaveLength(2);
    for (const head of submits) {
      expect(head).toMatch(
        headPattern('POST /api/v1/asample HTTP/1.1', port, [
          ...platformLines('application/json', '60'),
          'x-tinker-sampling-backpressure: 1',
          ...kernelLines,
        ]),
      );
    }
    const polls = heads('/api/v1/retrieve_future');
    expect(polls.length).toBeGreaterThanOrEqual(2);
    for (const head of polls) {
      expect(head).toMatch(
        headPattern('POST /api/v1/retrieve_future HTTP/1.1', port, [
          ...platformLines('application/x-protobuf', '45'),
          /x-tinker-request-iteration: \d+/,
          'x-tinker-request-type: Sample',
          /x-tinker-create-promise-roundtrip-time: [\d.e-]+/,
          'x-stainless-raw-response: raw',
          ...kernelLines,
        ]),
      );
    }
    // Each request its own key: a shared header object must not carry one request's key to the next.
    const keys = [...submits, ...polls].map((h) => /x-idempotency-key: (\S+)/.exec(h)![1]);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
