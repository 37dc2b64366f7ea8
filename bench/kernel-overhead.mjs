import http from 'node:http';
import got from 'got';
import { Agent, request } from 'undici';
import {
  createKernel,
  definePlugin,
  GotTransport,
  UndiciTransport,
  Ports,
  Type,
} from '../packages/kernel/dist/index.js';
import { childServer, compareCalls } from './lib.mjs';

/**
 * Unary JSON calls through the full pipeline (validation, retry, rate limiter, breaker, no-op telemetry)
 * vs raw got and raw undici, all against one keep-alive server running in another process.
 */
export async function kernelOverhead() {
  const server = await childServer('./json-server.mjs');
  const url = server.url;
  const body = JSON.stringify({ name: 'anvil', size: 3 });

  const gotClient = got.extend({
    agent: { http: new http.Agent({ keepAlive: true, maxSockets: 256 }) },
    retry: { limit: 0 },
  });
  const rawGot = () =>
    gotClient.post(`${url}/things`, { body, headers: { 'content-type': 'application/json' } }).json();
  const undiciAgent = new Agent({ connections: 256 });
  const rawUndici = async () => {
    const r = await request(`${url}/things`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
      dispatcher: undiciAgent,
    });
    return r.body.json();
  };
  const plugin = definePlugin({
    name: 'bench',
    version: '1',
    defaults: { baseUrl: url },
    manifest: {
      name: 'bench',
      version: '1',
      endpoints: [
        {
          id: 'create_thing',
          method: 'POST',
          path: '/things',
          input: Type.Object({ name: Type.String(), size: Type.Integer() }, { additionalProperties: false }),
          response: Type.Object({ id: Type.String(), name: Type.String(), size: Type.Integer() }),
        },
      ],
    },
  });
  const kernelWith = (transport) => {
    const k = createKernel().use(plugin);
    k.register(Ports.Transport, transport);
    return k;
  };
  const viaGot = kernelWith(new GotTransport());
  const viaUndici = kernelWith(new UndiciTransport());
  const input = { name: 'anvil', size: 3 };
  // got and undici differ by 3-4x, so each kernel is interleaved with its own baseline only.
  const undiciSide = await compareCalls(
    { raw_undici: rawUndici, kernel_undici: () => viaUndici.call('create_thing', input) },
    { rounds: 11 },
  );
  const gotSide = await compareCalls(
    { raw_got: rawGot, kernel_got: () => viaGot.call('create_thing', input) },
    { rounds: 11, throughputOps: 2000, warmup: 1000 },
  );
  await viaGot.close();
  await viaUndici.close();
  await undiciAgent.close();
  await server.stop();
  const results = { ...gotSide, ...undiciSide };
  return {
    ...results,
    ratios: {
      undici_latency: results.kernel_undici.latency_us_c1 / results.raw_undici.latency_us_c1,
      undici_throughput: results.kernel_undici.throughput_rps_c64 / results.raw_undici.throughput_rps_c64,
      got_latency: results.kernel_got.latency_us_c1 / results.raw_got.latency_us_c1,
      got_throughput: results.kernel_got.throughput_rps_c64 / results.raw_got.throughput_rps_c64,
    },
  };
}
