import { afterEach, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { Ports } from 'pristine-kernel';
import { CircuitOpenError, InternalServerError } from '../../src/index.js';
import { InstantClock } from './instant-clock.js';
import { setup, TEXT, textDatum } from './harness.js';

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const turn = () => new Promise((resolve) => setImmediate(resolve));

/** A CONNECT proxy on loopback that records each tunnel's target and Proxy-Authorization header. */
async function connectProxy() {
  const tunnels: { target: string; auth?: string }[] = [];
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req, socket, head) => {
    tunnels.push({ target: req.url!, auth: req.headers['proxy-authorization'] });
    const [host, port] = req.url!.split(':');
    const upstream = net.connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  cleanup.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { tunnels, url: (auth: string) => `http://${auth}@127.0.0.1:${port}` };
}

describe('default_query', () => {
  it.each([
    ['the option', { default_query: { tenant: 'acme', region: 'eu' } }],
    ['TINKEX_DEFAULT_QUERY', { env: { TINKEX_DEFAULT_QUERY: '{"tenant":"acme","region":"eu"}' } }],
  ])('from %s goes on every request to the API, polls and paged GETs included', async (_, options) => {
    const env = await setup({}, options);
    cleanup.push(env.close);
    const training = await env.service.createLoraTrainingClient({ base_model: 'tinkex/byte-tiny', rank: 4 });
    await training.forwardBackward([textDatum(TEXT)], 'cross_entropy');
    await env.service.createRestClient().listTrainingRuns({ limit: 5 });
    const paths = env.emulator.requestLog().map((r) => r.path);
    expect(paths.some((p) => p.startsWith('/api/v1/retrieve_future?'))).toBe(true);
    for (const path of paths) expect(new URL(path, 'http://x').searchParams.get('tenant')).toBe('acme');
    const list = new URL(
      paths.find((p) => p.startsWith('/api/v1/training_runs?'))!,
      'http://x',
    );
    expect(list.searchParams.get('limit')).toBe('5');
    expect(list.searchParams.get('region')).toBe('eu');
  });

  it('rejects a TINKEX_DEFAULT_QUERY that is not a JSON object, naming the variable', async () => {
    const { ServiceClient } = await import('../../src/index.js');
    expect(() => new ServiceClient({ api_key: 'tml-x', env: { TINKEX_DEFAULT_QUERY: '[1]' } })).toThrow(
      /TINKEX_DEFAULT_QUERY/,
    );
  });
});

describe('proxy', () => {
  it.each(['option', 'TINKEX_PROXY'])(
    'from the %s tunnels every request with its credentials, which stay secret',
    async (source) => {
      const proxy = await connectProxy();
      const url = proxy.url('user:proxy-pw-5512');
      const env = await setup({}, source === 'option' ? { proxy: url } : { env: { TINKEX_PROXY: url } });
      cleanup.push(env.close);
      expect(await env.service.healthCheck()).toEqual({ status: 'ok' });
      const training = await env.service.createLoraTrainingClient({
        base_model: 'tinkex/byte-tiny',
        rank: 4,
      });
      await training.forwardBackward([textDatum(TEXT)], 'cross_entropy');
      const origin = new URL(env.emulator.url).host;
      expect(proxy.tunnels.length).toBeGreaterThan(0);
      for (const tunnel of proxy.tunnels) {
        expect(tunnel.target).toBe(origin);
        expect(tunnel.auth).toBe(`Basic ${Buffer.from('user:proxy-pw-5512').toString('base64')}`);
      }
      expect(inspect(env.service.config, { depth: 5 })).not.toContain('proxy-pw-5512');
      expect(JSON.stringify(env.service.config)).not.toContain('proxy-pw-5512');
    },
  );

  it('rejects a proxy that is not an http(s) URL before anything is sent', async () => {
    const { ServiceClient } = await import('../../src/index.js');
    expect(() => new ServiceClient({ api_key: 'tml-x', env: {}, proxy: 'socks5://127.0.0.1:1' })).toThrow(
      /proxy/,
    );
  });
});

describe('circuit_breaker', () => {
  const outage = async (circuit_breaker?: { failure_threshold: number }) => {
    const clock = new InstantClock();
    const env = await setup(
      {},
      {
        max_retries: 6,
        ...(circuit_breaker ? { circuit_breaker } : {}),
        configureKernel: (kernel) => kernel.register(Ports.Clock, clock),
      },
    );
    cleanup.push(env.close);
    env.emulator.setChaos('5xx=1;scope=rest');
    const rest = env.service.createRestClient();
    const calls = () =>
      env.emulator.requestLog().filter((r) => r.path.startsWith('/api/v1/training_runs')).length;
    return { env, rest, calls };
  };

  it('is off by default: a failing call spends its retries and fails with the server error', async () => {
    const { rest, calls } = await outage();
    await expect(rest.listTrainingRuns()).rejects.toBeInstanceOf(InternalServerError);
    expect(calls()).toBe(7);
  });

  it('on, opens after failure_threshold server failures and then fails fast with CircuitOpenError', async () => {
    const { env, rest, calls } = await outage({ failure_threshold: 3 });
    await expect(rest.listTrainingRuns()).rejects.toBeInstanceOf(CircuitOpenError);
    expect(calls()).toBe(3);
    // Open: nothing reaches the server, even once it is healthy again (until reset_timeout_ms).
    env.emulator.setChaos('');
    const error = await rest.listTrainingRuns().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect((error as CircuitOpenError).retryable).toBe(false);
    expect(calls()).toBe(3);
    // Other resources have their own breaker.
    expect(await env.service.healthCheck()).toEqual({ status: 'ok' });
  });
});

describe('poll_backoff', () => {
  it.each([
    ['exponential', { poll_backoff: 'exponential' as const }, [1_000, 2_000, 4_000]],
    ['TINKEX_POLL_BACKOFF=1', { env: { TINKEX_POLL_BACKOFF: '1' } }, [1_000, 2_000, 4_000]],
    ['a function', { poll_backoff: (i: number) => 300 + i }, [300, 301, 302]],
    ['none (default)', {}, [10, 20, 40]],
  ])('%s: waits before re-polling a future after 5xx answers', async (_, options, expected) => {
    const clock = new InstantClock();
    const env = await setup(
      {},
      { ...options, max_retries: 20, configureKernel: (kernel) => kernel.register(Ports.Clock, clock) },
    );
    cleanup.push(env.close);
    const training = await env.service.createLoraTrainingClient({ base_model: 'tinkex/byte-tiny', rank: 4 });
    env.emulator.setChaos('5xx=1;scope=futures');
    clock.sleeps.length = 0;
    const future = training.forwardBackward([textDatum(TEXT)], 'cross_entropy');
    const polls = () => env.emulator.requestLog().filter((r) => r.path.startsWith('/api/v1/retrieve_future'));
    while (polls().filter((r) => r.status >= 500).length < 4) await turn();
    env.emulator.setChaos('');
    await future;
    expect(clock.sleeps.slice(0, 3)).toEqual(expected);
  });
});
