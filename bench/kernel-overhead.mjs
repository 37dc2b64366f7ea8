import http from 'node:http';
import got from 'got';
import { Agent, request } from 'undici';
import { createKernel, definePlugin, GotTransport, UndiciTransport, Ports, Type } from '../dist/index.js';
import { latency, throughput } from './lib.mjs';

/** Unary JSON calls through the full pipeline vs raw got and raw undici, against one keep-alive server. */
export async function kernelOverhead() {
  const payload = JSON.stringify({ id: 'x1', name: 'anvil', size: 3 });
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': payload.length });
      res.end(payload);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}`;
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
    const k = createKernel({ tokenBucket: undefined }).use(plugin);
    k.register(Ports.Transport, transport);
    return k;
  };
  const viaGot = kernelWith(new GotTransport());
  const viaUndici = kernelWith(new UndiciTransport());
  const input = { name: 'anvil', size: 3 };
  const results = {};
  for (const [name, fn] of [
    ['raw_got', rawGot],
    ['raw_undici', rawUndici],
    ['kernel_got', () => viaGot.call('create_thing', input)],
    ['kernel_undici', () => viaUndici.call('create_thing', input)],
  ]) {
    results[name] = {
      latency_us_c1: await latency(fn, { ops: 1000 }),
      throughput_rps_c64: await throughput(fn, { ops: 6000 }),
    };
  }
  await viaGot.close();
  await viaUndici.close();
  await undiciAgent.close();
  server.closeAllConnections();
  server.close();
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
