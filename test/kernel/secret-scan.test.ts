import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import { Type } from '@sinclair/typebox';
import { ApiKeyHeaderAuth } from '../../src/adapters/auth/api-key-header.js';
import { TokenProviderAuth } from '../../src/adapters/auth/token-provider.js';
import { CaptureLogger } from '../../src/adapters/logger/capture-logger.js';
import { GotTransport } from '../../src/adapters/transport/got-transport.js';
import { UndiciTransport } from '../../src/adapters/transport/undici-transport.js';
import {
  APIConnectionError,
  APIStatusError,
  APITimeoutError,
  AuthenticationError,
} from '../../src/kernel/errors/api-errors.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { Ports, type Transport } from '../../src/ports/index.js';
import { RecordingClock } from '../support/recording-clock.js';
import {
  closedPortUrl,
  startEchoServer,
  startForwardProxy,
  startRejectingProxy,
  type Loopback,
} from './fixtures/credential-servers.js';

/*
 * The secret scan: drive every kind of failure through both transports, proxies and a token provider
 * against servers that echo credentials back, then grep every error's message, stack, String(),
 * util.inspect (default depth and unlimited, with hidden fields), JSON and every log line at debug
 * level for every credential the kernel sent, in every encoding it was sent in.
 */
const API_KEY = 'sk-scan-apikey-5f4e3d2c1b0a9988';
const STATIC_SECRET = 'static-client-secret-77aa66bb55cc';
const FIRST_TOKEN = 'tok-first-0a1b2c3d4e5f6a7b8c9d';
const REFRESHED_TOKEN = 'tok-refreshed-9f8e7d6c5b4a3f2e1d';
const PROXY_USER = 'scanuser';
const PROXY_PASSWORD = 'pr0xy:scan/pass';

const CREDENTIALS = [
  API_KEY,
  STATIC_SECRET,
  FIRST_TOKEN,
  REFRESHED_TOKEN,
  PROXY_PASSWORD,
  encodeURIComponent(PROXY_PASSWORD),
  Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64'),
];

const ok = Type.Object({ ok: Type.Boolean() });

function scanPlugin(baseUrl: string) {
  return definePlugin({
    name: 'scan',
    version: '1.0.0',
    defaults: { baseUrl, timeoutMs: 5_000 },
    headers: { static: { 'x-client-secret': STATIC_SECRET } },
    auth: {
      default: new ApiKeyHeaderAuth(API_KEY, 'x-api-key'),
      token: new TokenProviderAuth(async ({ attempt }) => (attempt === 0 ? FIRST_TOKEN : REFRESHED_TOKEN)),
    },
    manifest: {
      name: 'scan',
      version: '1.0.0',
      endpoints: [
        { id: 'echo', method: 'GET', path: '/echo', response: ok },
        { id: 'flaky', method: 'GET', path: '/flaky', auth: 'token', response: ok },
        // Long enough that a loaded CI machine still delivers the request before the deadline
        // (at 150 ms the server once never saw it, and the witness check below failed).
        { id: 'hang', method: 'GET', path: '/hang', response: ok, timeoutMs: 1_000 },
      ],
    },
  });
}

interface Scenario {
  endpoint: 'echo' | 'flaky' | 'hang';
  baseUrl: () => string;
  proxy?: () => string;
  maxRetries: number;
  expected: new (...args: never[]) => Error;
  /** Which server must have seen the credentials, so a pass cannot come from sending nothing. */
  witness: () => Loopback;
}

let echo: Loopback;
let proxy: Loopback;
let rejecting: Loopback;
let refused = '';
const withCredentials = (url: string) =>
  url.replace('http://', `http://${PROXY_USER}:${encodeURIComponent(PROXY_PASSWORD)}@`);

beforeAll(async () => {
  [echo, proxy, rejecting] = await Promise.all([
    startEchoServer(),
    startForwardProxy(),
    startRejectingProxy(),
  ]);
  refused = await closedPortUrl();
});
afterAll(async () => {
  await Promise.all([echo.close(), proxy.close(), rejecting.close()]);
});

const scenarios: Record<string, Scenario> = {
  'a server echoing the API key and a default header (401)': {
    endpoint: 'echo',
    baseUrl: () => echo.url,
    maxRetries: 0,
    expected: AuthenticationError,
    witness: () => echo,
  },
  'a server echoing a token, then its refresh (503, then 401)': {
    endpoint: 'flaky',
    baseUrl: () => echo.url,
    maxRetries: 1,
    expected: AuthenticationError,
    witness: () => echo,
  },
  'an echoing server behind an authenticating proxy': {
    endpoint: 'echo',
    baseUrl: () => echo.url,
    proxy: () => withCredentials(proxy.url),
    maxRetries: 0,
    expected: AuthenticationError,
    witness: () => proxy,
  },
  'connection refused (retried once)': {
    endpoint: 'echo',
    baseUrl: () => refused,
    maxRetries: 1,
    expected: APIConnectionError,
    witness: () => echo, // nothing answered; the server was never reached
  },
  'a timeout': {
    endpoint: 'hang',
    baseUrl: () => echo.url,
    maxRetries: 0,
    expected: APITimeoutError,
    witness: () => echo,
  },
  'a proxy that refuses connections': {
    endpoint: 'echo',
    baseUrl: () => echo.url,
    proxy: () => withCredentials(refused),
    maxRetries: 0,
    expected: APIConnectionError,
    witness: () => echo,
  },
  'a proxy answering 407 and echoing Proxy-Authorization': {
    endpoint: 'echo',
    baseUrl: () => echo.url,
    proxy: () => withCredentials(rejecting.url),
    maxRetries: 0,
    // got forwards absolute-URI requests, so the 407 is a response; undici tunnels, so it is a failure.
    expected: Error,
    witness: () => rejecting,
  },
};

/** Every way a user or a log pipeline turns an error into text. */
function renderings(error: Error): Record<string, string> {
  return {
    message: error.message,
    stack: String(error.stack),
    string: String(error),
    inspect: inspect(error),
    inspectDeep: inspect(error, { depth: Infinity, showHidden: true }),
    json: JSON.stringify(error),
    causeDeep: inspect(error.cause, { depth: Infinity, showHidden: true }),
  };
}

function leaksIn(text: string): string[] {
  return CREDENTIALS.filter((credential) => text.includes(credential));
}

describe.each([
  ['got', () => new GotTransport()],
  ['undici', () => new UndiciTransport()],
])('secret scan on the %s transport', (_name, makeTransport: () => Transport) => {
  it.each(Object.entries(scenarios))('%s', async (_title, scenario) => {
    const kernel = createKernel({ proxy: scenario.proxy?.() }).use(scanPlugin(scenario.baseUrl()));
    const logger = new CaptureLogger({ level: 'debug', secrets: kernel.secrets, logHeaders: true });
    kernel.register(Ports.Logger, logger).register(Ports.Clock, new RecordingClock());
    kernel.register(Ports.Transport, makeTransport());
    // What a user logging at the most verbose level would write: every event, with its error.
    for (const event of ['request:start', 'request:retry', 'request:error', 'request:stop'] as const) {
      kernel.events.on(event, (payload) => logger.debug(event, { ...payload }));
    }
    const witnessed = scenario.witness().seen.length;

    const error = await kernel
      .call(scenario.endpoint, undefined as never, { maxRetries: scenario.maxRetries })
      .then(
        () => undefined,
        (e: Error) => e,
      );
    await kernel.close();

    expect(error).toBeInstanceOf(scenario.expected);
    logger.error('call failed', { error, cause: error!.cause });
    const outputs = { ...renderings(error!), log: logger.text() };
    const leaks = Object.entries(outputs).flatMap(([where, text]) =>
      leaksIn(text).map((credential) => `${where}: ${credential}`),
    );
    expect(leaks).toEqual([]);
    // The scan saw real failures with real credentials on the wire, not an empty run.
    if (scenario.baseUrl() !== refused && !scenario.proxy?.().includes(refused.slice(7))) {
      expect(scenario.witness().seen.length).toBeGreaterThan(witnessed);
    }
    if (error instanceof APIStatusError) {
      expect(JSON.stringify(error.headers)).toMatch(/x-echo-/);
      expect(inspect(error)).toContain('[REDACTED]');
    }
    if (scenario.endpoint === 'flaky') {
      expect(kernel.secrets.scrub(`${FIRST_TOKEN} ${REFRESHED_TOKEN}`)).toBe('[REDACTED] [REDACTED]');
    }
  });
});
