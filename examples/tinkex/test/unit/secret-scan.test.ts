import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import { CaptureLogger, GotTransport, PristineError, Ports, type Transport } from 'pristine-kernel';
import { ServiceClient } from '../../src/index.js';
import { InstantClock } from '../e2e/instant-clock.js';
import { refusedUrl, startEchoingApi, startForwarder, type Host } from '../support/loopback-hosts.js';

/*
 * The Tinkex secret scan: the API key, the Cloudflare Access service token, a secret default header
 * and proxy credentials, against a server that echoes every header back, through a proxy, and into
 * refused connections and timeouts, on both transports. Every error's message, stack, String(),
 * util.inspect, JSON and every debug log line is grepped for every credential, and so are the clients
 * themselves as `console.log` and `JSON.stringify` show them.
 */
const API_KEY = 'tml-scan-key-6a5b4c3d2e1f0a9b8c7d';
const CF_ID = 'cf-scan-client-id-1234.access';
const CF_SECRET = 'cf-scan-client-secret-abcdef0123456789';
const GATEWAY_TOKEN = 'gw-scan-token-ffeeddccbbaa9988';
const PROXY_PASSWORD = 'tinkex:proxy@pass';

const CREDENTIALS = [
  API_KEY,
  CF_ID,
  CF_SECRET,
  GATEWAY_TOKEN,
  PROXY_PASSWORD,
  encodeURIComponent(PROXY_PASSWORD),
  Buffer.from(`scan:${PROXY_PASSWORD}`).toString('base64'),
];

let api: Host;
let proxy: Host;
let refused = '';
const withCredentials = (url: string) =>
  url.replace('http://', `http://scan:${encodeURIComponent(PROXY_PASSWORD)}@`);

beforeAll(async () => {
  api = await startEchoingApi();
  proxy = await startForwarder(() => api.url);
  refused = await refusedUrl();
});
afterAll(async () => {
  await Promise.all([api.close(), proxy.close()]);
});

interface Scenario {
  baseUrl: () => string;
  proxy?: () => string;
  /** The host that must have received the credentials (none when nothing could connect). */
  witness?: () => Host;
}

const scenarios: Record<string, Scenario> = {
  'an API that echoes every header (401)': { baseUrl: () => api.url, witness: () => api },
  'the echoing API behind an authenticating proxy': {
    baseUrl: () => api.url,
    proxy: () => withCredentials(proxy.url),
    witness: () => proxy,
  },
  'connection refused': { baseUrl: () => refused },
  'a timeout': { baseUrl: () => `${api.url}/hang`, witness: () => api },
  'a refused proxy': { baseUrl: () => api.url, proxy: () => withCredentials(refused) },
};

describe.each([
  ['undici (the Tinkex default)', undefined],
  ['got', () => new GotTransport()],
])('Tinkex secret scan on %s', (_name, makeTransport: (() => Transport) | undefined) => {
  it.each(Object.entries(scenarios))('%s', async (_title, scenario) => {
    let logger: CaptureLogger | undefined;
    const service = new ServiceClient({
      api_key: API_KEY,
      base_url: scenario.baseUrl(),
      env: { CLOUDFLARE_ACCESS_CLIENT_ID: CF_ID, CLOUDFLARE_ACCESS_CLIENT_SECRET: CF_SECRET },
      default_headers: { 'X-Gateway-Token': GATEWAY_TOKEN },
      max_retries: 1,
      // Long enough that a loaded CI machine still delivers the request the witness check counts.
      timeout_ms: 1_000,
      telemetry: false,
      log_level: 'debug',
      configureKernel: (kernel) => {
        logger = new CaptureLogger({ level: 'debug', secrets: kernel.secrets, logHeaders: true });
        kernel.register(Ports.Logger, logger).register(Ports.Clock, new InstantClock());
        if (makeTransport) kernel.register(Ports.Transport, makeTransport());
        if (scenario.proxy) kernel.settings.proxy = scenario.proxy();
        for (const event of ['request:start', 'request:retry', 'request:error', 'request:stop'] as const) {
          kernel.events.on(event, (payload) => logger!.debug(event, { ...payload }));
        }
      },
    });
    const before = scenario.witness?.().seen.length ?? 0;
    const rest = service.createRestClient();
    const error = await rest.listTrainingRuns().then(
      () => undefined,
      (e: Error) => e,
    );
    await service.close();

    expect(error).toBeInstanceOf(PristineError);
    logger!.error('listTrainingRuns failed', { error, cause: error!.cause });
    const outputs: Record<string, string> = {
      message: error!.message,
      stack: String(error!.stack),
      string: String(error),
      inspect: inspect(error),
      inspectDeep: inspect(error, { depth: Infinity, showHidden: true }),
      json: JSON.stringify(error),
      causeDeep: inspect(error!.cause, { depth: Infinity, showHidden: true }),
      log: logger!.text(),
      // `console.log(service)`: the kernel holds the proxy URL, its agents, the auth adapters.
      client: inspect(service, { depth: Infinity, showHidden: true }),
      restClient: inspect(rest, { depth: Infinity, showHidden: true }),
      configJson: JSON.stringify(service.config),
    };
    const leaks = Object.entries(outputs).flatMap(([where, text]) =>
      CREDENTIALS.filter((credential) => text.includes(credential)).map((c) => `${where}: ${c}`),
    );
    expect(leaks).toEqual([]);
    if (scenario.witness) {
      const received = scenario.witness().seen.slice(before);
      expect(received.length).toBeGreaterThan(0);
      // The credentials were really sent (to the API or, for the proxy, in Proxy-Authorization).
      expect(JSON.stringify(received)).toMatch(
        scenario.proxy ? /proxy-authorization|x-api-key/ : /x-api-key/,
      );
    }
  });
});
