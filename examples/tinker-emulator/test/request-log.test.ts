import { describe, expect, it } from '@jest/globals';
import { client, KEY, withEmulator } from './helpers.js';

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
});
