import { describe, expect, it } from '@jest/globals';
import { gzipSync } from 'node:zlib';
import { startEmulator } from '../src/index.js';
import { client, KEY, openModel, withEmulator } from './helpers.js';
import { fwdBwdRequest, postProto, protoDatum } from './support/proto.js';

describe('the request log (emulator.requestLog())', () => {
  it('records method, path with query, status, headers, decoded body and content types, oldest first', async () => {
    await withEmulator({}, async (emu) => {
      const api = client(emu);
      await api.post('client/config', { sdk_version: '0.25.0' });
      await api.call('GET', '/api/v1/training_runs?limit=20&offset=0&access_scope=owned');
      await client(emu, 'bad').post('client/dynamic_config', { sdk_version: '0.25.0' });
      const log = emu.requestLog();
      expect(log.map((r) => [r.method, r.path, r.status])).toEqual([
        ['POST', '/api/v1/client/config', 200],
        ['GET', '/api/v1/training_runs?limit=20&offset=0&access_scope=owned', 200],
        ['POST', '/api/v1/client/dynamic_config', 401],
      ]);
      expect(log[0]).toMatchObject({
        body: { sdk_version: '0.25.0' },
        content_type: 'application/json',
        content_encoding: undefined,
        body_bytes: Buffer.byteLength('{"sdk_version":"0.25.0"}'),
        response_content_type: 'application/json',
      });
      expect(log[0].headers['x-api-key']).toBe(KEY);
      expect(log[1]).toMatchObject({ body: undefined, body_bytes: 0, content_type: undefined });
      expect(typeof log[0].at).toBe('number');
      // Copies: a test cannot change what the emulator recorded.
      log[0].headers['x-api-key'] = 'changed';
      expect(emu.requestLog()[0].headers['x-api-key']).toBe(KEY);
    });
  });

  it('keeps only the newest requests whose decoded bodies fit its byte bound, the newest always', async () => {
    await withEmulator({ requestLogBytes: 2_500 }, async (emu) => {
      const api = client(emu);
      const padded = (n: number, pad: number) => ({ sdk_version: '0.25.0', n, pad: 'x'.repeat(pad) });
      for (let n = 0; n < 4; n++) await api.post('client/config', padded(n, 1_000));
      // About 1,050 bytes each: the last two fit in 2,500.
      expect(emu.requestLog().map((r) => (r.body as { n: number }).n)).toEqual([2, 3]);

      // Bounded by the decoded size: 40 KB of JSON that gzip makes tiny on the wire still counts in full.
      const big = JSON.stringify(padded(4, 40_000));
      const res = await fetch(`${emu.url}/api/v1/client/config`, {
        method: 'POST',
        headers: { 'x-api-key': KEY, 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: gzipSync(big),
      });
      await res.arrayBuffer();
      const log = emu.requestLog();
      expect(log).toHaveLength(1);
      expect(log[0]).toMatchObject({ body: { n: 4 }, content_encoding: 'gzip' });
      expect(log[0].body_bytes).toBeLessThan(1_000);
    });
  });

  it("builds a protobuf body's logged form when the log is read, once, from that request alone", async () => {
    await withEmulator({}, async (emu) => {
      const { modelId } = await openModel(client(emu));
      const body = fwdBwdRequest({
        model_id: modelId,
        seq_id: 1,
        data: [protoDatum('Hello there. ')],
        loss_fn: 'cross_entropy',
      });
      await postProto(emu.url, KEY, body);
      const entry = emu.state.requests.at(-1)!;
      // Not built when logged: the entry holds a getter until someone reads it.
      expect(typeof Object.getOwnPropertyDescriptor(entry, 'body')?.get).toBe('function');
      const logged = entry.body as { model_id: string; seq_id: number; data: unknown[] };
      expect(logged).toMatchObject({ model_id: modelId, seq_id: 1, loss_fn: 'cross_entropy' });
      expect(logged.data).toHaveLength(1);
      expect(entry.body).toBe(logged);
      expect(emu.requestLog().at(-1)!.body).toEqual(logged);
    });
  });

  it('refuses a bound that is not a non-negative integer', async () => {
    // An emulator that starts anyway is closed, so a regression fails here instead of hanging Jest.
    const outcome = await startEmulator({ requestLogBytes: -1 }).then(
      (emu) => emu.close().then(() => 'started'),
      (error: unknown) => error,
    );
    expect(outcome).toBeInstanceOf(RangeError);
    expect(String(outcome)).toMatch(/requestLogBytes must be a non-negative integer, got -1/);
  });
});
