import { describe, expect, it } from '@jest/globals';
import { client, withEmulator } from './helpers.js';

// Answers a client's error handling depends on: clients retry 408, 409, 429 and 5xx (tinker-wire-0.7.0.md
// §7), so a request that can never succeed must get a 4xx, never a 500.
describe('requests that can never succeed get a 4xx', () => {
  it('a path with malformed percent-encoding is a 400, logged, not an emulator error', () =>
    withEmulator({}, async (emulator) => {
      const api = client(emulator);
      const answer = await api.call('GET', '/api/v1/training_runs/%E0%A4%A');
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ detail: 'the request path is not valid percent-encoding' });
      expect(emulator.requestLog().map((r) => [r.method, r.path, r.status])).toEqual([
        ['GET', '/api/v1/training_runs/%E0%A4%A', 400],
      ]);
      // The connection and the server stay usable.
      expect((await api.call('GET', '/api/v1/healthz')).status).toBe(200);
    }));
});
