import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiKeyHeaderAuth } from '../../src/adapters/auth/api-key-header.js';
import { FakeClock } from '../../src/adapters/clock/fake-clock.js';
import { CaptureLogger } from '../../src/adapters/logger/capture-logger.js';
import { UndiciTransport } from '../../src/adapters/transport/undici-transport.js';
import { GotTransport } from '../../src/adapters/transport/got-transport.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { Ports } from '../../src/ports/index.js';
import { thingsManifest, thingsPlugin } from './fixtures/things-plugin.js';

const API_KEY = 'sk-request-log-4f9c1e77aa';

/** Answers 503 to the first request of each `name`, then creates the thing with a request id. */
async function flakyServer() {
  const seen = new Set<string>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      const { name } = JSON.parse(body) as { name: string };
      if (!seen.has(name)) {
        seen.add(name);
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"busy"}');
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json', 'x-request-id': `req-${name}` })
        .end(JSON.stringify({ id: 't1', name, size: 1 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1`, server };
}

function kernelFor(
  baseUrl: string,
  level: 'debug' | 'info' | 'warn',
  transport: 'got' | 'undici',
  retryLogLevel?: 'info' | 'debug',
  callName?: string,
) {
  const [create, ...others] = thingsManifest.endpoints;
  // The same manifest, its first endpoint (create_thing) named for people when `callName` is given.
  const manifest = {
    ...thingsManifest,
    endpoints: [callName ? { ...create, callName } : create, ...others] as const,
  };
  const kernel = createKernel({ requestIdHeader: 'x-request-id' }).use(
    thingsPlugin({
      manifest,
      defaults: { baseUrl },
      auth: { default: new ApiKeyHeaderAuth(API_KEY) },
      retryPolicies: {
        default: {
          initialDelayMs: 1,
          maxDelayMs: 2,
          jitter: 0,
          ...(retryLogLevel ? { logLevel: retryLogLevel } : {}),
        },
      },
    }),
  );
  // Configured as the kernel's default logger is: header maps kept (redacted), the kernel's secrets known.
  const logger = new CaptureLogger({ level, logHeaders: true, secrets: kernel.secrets });
  kernel.register(Ports.Logger, logger);
  kernel.register(Ports.Transport, transport === 'got' ? new GotTransport() : new UndiciTransport());
  return { kernel, logger };
}

describe('request logging', () => {
  let flaky: Awaited<ReturnType<typeof flakyServer>>;
  beforeAll(async () => {
    flaky = await flakyServer();
  });
  afterAll(() => new Promise<void>((resolve) => flaky.server.close(() => resolve())));

  it.each(['got', 'undici'] as const)(
    'at debug logs every attempt, response and retry, with secrets masked (%s)',
    async (transport) => {
      const { kernel, logger } = kernelFor(flaky.url, 'debug', transport);
      try {
        await kernel.call('create_thing', { name: `anvil-${transport}`, size: 1 });
      } finally {
        await kernel.close();
      }
      const messages = logger.records.map((r) => `${r.level} ${r.message}`);
      expect(messages).toEqual([
        'debug headers every request to things sends, unless its line shows another value or omits it',
        `debug request POST ${flaky.url}/things`,
        `debug response 503 POST ${flaky.url}/things`,
        expect.stringMatching(/^info retrying create_thing in 0\.0 s after HTTP 503 \(retry 1 of \d+\)$/),
        `debug request POST ${flaky.url}/things`,
        `debug response 200 POST ${flaky.url}/things`,
      ]);
      const [, firstRequest, , , secondRequest, success] = logger.records;
      const body = JSON.stringify({ name: `anvil-${transport}`, size: 1 });
      expect(firstRequest.fields).toMatchObject({
        endpoint: 'create_thing',
        attempt: 1,
        body_bytes: body.length,
      });
      expect(secondRequest.fields).toMatchObject({ attempt: 2 });
      const headers = firstRequest.fields.headers as Record<string, string>;
      expect(headers['content-type']).toMatch(/json/);
      expect(headers['x-api-key']).toBeDefined();
      expect(headers['x-api-key']).not.toContain(API_KEY.slice(3, 12));
      expect(success.fields).toMatchObject({ status: 200, request_id: `req-anvil-${transport}` });
      expect(typeof success.fields.duration_ms).toBe('number');
      expect(logger.text()).not.toContain(API_KEY);
    },
  );

  it('at debug shows the headers every request sends once, and on each request line only its own', async () => {
    // Found by hand: every `TINKER_LOG=debug` request line repeated the ~11 x-stainless-* headers, the same
    // on every request, burying the few that tell requests apart (retry count, idempotency key, timeout).
    const { kernel, logger } = kernelFor(flaky.url, 'debug', 'undici');
    try {
      await kernel.call('create_thing', { name: 'common-1', size: 1 });
      await kernel.call(
        'create_thing',
        { name: 'common-2', size: 1 },
        { headers: { 'X-Things-OS': 'Plan9' } },
      );
    } finally {
      await kernel.close();
    }
    const common = logger.records.filter((r) => r.message.startsWith('headers every request'));
    expect(common).toHaveLength(1); // once, however many requests
    expect(common[0]!.fields.headers).toEqual({
      'user-agent': expect.stringMatching(/^things\/1\.2\.3 /),
      accept: 'application/json',
      'x-things-os': expect.any(String),
      'x-things-runtime': 'node',
      'x-things-version': '1.2.3',
    });
    const requests = logger.records.filter((r) => r.message.startsWith('request POST'));
    expect(requests).toHaveLength(4); // two calls, each retried once after a 503
    for (const request of requests) {
      const headers = request.fields.headers as Record<string, string>;
      // Per request: what tells attempts apart, and the credential (masked) is still named.
      expect(Object.keys(headers)).toEqual(
        expect.arrayContaining(['x-things-retry-count', 'x-things-idempotency', 'content-type', 'x-api-key']),
      );
      expect(headers['user-agent']).toBeUndefined();
      expect(headers['x-things-runtime']).toBeUndefined();
    }
    // A value that differs from the common one is shown on its line: nothing a debugging user needs is lost.
    expect(requests.map((r) => (r.fields.headers as Record<string, string>)['x-things-os'])).toEqual([
      undefined,
      undefined,
      'Plan9',
      'Plan9',
    ]);
    expect(logger.text()).not.toContain(API_KEY);
  });

  it('names the common headers a request to another origin leaves out', async () => {
    const { kernel, logger } = kernelFor(flaky.url, 'debug', 'undici');
    const elsewhere = flaky.url.replace('127.0.0.1', 'localhost'); // another origin, the same server
    try {
      await kernel.call('create_thing', { name: 'elsewhere', size: 1 }, { baseUrl: elsewhere });
    } finally {
      await kernel.close();
    }
    const [request] = logger.records.filter((r) => r.message.startsWith('request POST'));
    expect(request!.fields.omitted_headers).toEqual(['x-things-os', 'x-things-runtime', 'x-things-version']);
  });

  it('names the failure and the retry reason when nothing listens', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { kernel, logger } = kernelFor(`http://127.0.0.1:${port}/v1`, 'info', 'undici');
    try {
      await expect(kernel.call('create_thing', { name: 'x', size: 1 }, { maxRetries: 1 })).rejects.toThrow();
    } finally {
      await kernel.close();
    }
    // At info only the retry line: no per-attempt noise, and the reason names the socket error.
    expect(logger.records.map((r) => r.message)).toEqual([
      expect.stringMatching(/^retrying create_thing in 0\.0 s after .*ECONNREFUSED.* \(retry 1 of 1\)$/),
    ]);
  });

  it("names the call as its users know it (the endpoint's callName), in retry lines and a closed client's error", async () => {
    // Found by hand: `tinkex quickstart` printed "retrying forward_backward_proto …", the id of 0.25's
    // protobuf variant of forward_backward, where the user called forward_backward.
    const { kernel, logger } = kernelFor(flaky.url, 'info', 'undici', undefined, 'make_thing');
    try {
      await kernel.call('create_thing', { name: 'named-call', size: 1 });
    } finally {
      await kernel.close();
    }
    expect(logger.records.map((r) => r.message)).toEqual([
      expect.stringMatching(/^retrying make_thing in 0\.0 s after HTTP 503 \(retry 1 of \d+\)$/),
    ]);
    // The structured field keeps the endpoint id: it is what a program filters on.
    expect(logger.records[0]!.fields).toMatchObject({ endpoint: 'create_thing' });
    await expect(kernel.call('create_thing', { name: 'late', size: 1 })).rejects.toThrow(
      'Cannot call "make_thing": the client was closed.',
    );
  });

  it("a policy's logLevel: debug keeps background retries (telemetry) out of the info lines", async () => {
    for (const level of ['info', 'debug'] as const) {
      const { kernel, logger } = kernelFor(flaky.url, level, 'undici', 'debug');
      try {
        await kernel.call('create_thing', { name: `background-${level}`, size: 1 });
      } finally {
        await kernel.close();
      }
      const retries = logger.records.filter((r) => r.message.startsWith('retrying create_thing'));
      // Still there for whoever asks for debug, and only then.
      expect(retries.map((r) => r.level)).toEqual(level === 'debug' ? ['debug'] : []);
    }
  });

  // Round 33: an outage with 200 calls in flight logged a line per retry at info (651 in 2 s).
  it('at info, the retries of many calls after one cause share one line (each one at debug)', async () => {
    for (const level of ['info', 'debug'] as const) {
      const { kernel, logger } = kernelFor(flaky.url, level, 'undici');
      // Time stands still (sleeps end at once): every retry falls in one window, however slow the host.
      kernel.register(
        Ports.Clock,
        new (class extends FakeClock {
          override sleep = () => Promise.resolve();
        })(),
      );
      try {
        const names = Array.from({ length: 20 }, (_, i) => `outage-${level}-${i}`);
        await Promise.all(names.map((name) => kernel.call('create_thing', { name, size: 1 })));
      } finally {
        await kernel.close();
      }
      const retries = logger.records.filter((r) => r.message.startsWith('retrying create_thing'));
      expect(retries.filter((r) => r.level === 'info')).toHaveLength(1);
      expect(retries).toHaveLength(level === 'debug' ? 20 : 1);
    }
  });

  it('costs nothing below debug: no request records at warn', async () => {
    const { kernel, logger } = kernelFor(flaky.url, 'warn', 'undici');
    try {
      await kernel.call('create_thing', { name: 'quiet', size: 1 });
    } finally {
      await kernel.close();
    }
    expect(logger.records).toEqual([]);
  });
});
