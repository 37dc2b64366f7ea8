import { describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { client, KEY, withEmulator } from './helpers.js';
import { ManualClock } from './support/manual-clock.js';

const caps = (api: ReturnType<typeof client>) => api.call('GET', '/api/v1/get_server_capabilities');

describe('auth/token and JWT credentials', () => {
  it('exchanges the API key for a JWT with a numeric exp an hour ahead, accepted in X-API-Key', async () => {
    const clock = new ManualClock();
    await withEmulator({ clock, clientConfig: { pjwt_auth_enabled: true } }, async (emu) => {
      const res = await client(emu).post('auth/token', {});
      expect(res.status).toBe(200);
      const jwt: string = res.body.jwt;
      expect(jwt).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
      const claims = decodeJwt(jwt);
      expect(claims.iat).toBe(Math.floor(clock.now() / 1000));
      expect(claims.exp).toBe(claims.iat! + 3600);
      expect(claims.sub).toMatch(/^urn:/);
      expect((await caps(client(emu, jwt))).status).toBe(200);
      // The JWT can itself be exchanged (a client configured with an eyJ… key does so).
      expect((await client(emu, jwt).post('auth/token', {})).status).toBe(200);
    });
  });

  it('answers 401 once the JWT expired (by the emulator clock), and never echoes the token', async () => {
    const clock = new ManualClock();
    await withEmulator({ clock, jwtTtlSeconds: 600 }, async (emu) => {
      const jwt = (await client(emu).post('auth/token', {})).body.jwt as string;
      clock.advance(599_000);
      expect((await caps(client(emu, jwt))).status).toBe(200);
      clock.advance(2_000);
      const expired = await caps(client(emu, jwt));
      expect(expired).toMatchObject({ status: 401, body: { detail: 'JWT expired' } });
      expect(JSON.stringify(expired.body)).not.toContain(jwt.split('.')[2]);
      // The API key keeps working, and a fresh exchange gives a working token again.
      expect((await caps(client(emu, KEY))).status).toBe(200);
      const fresh = (await client(emu).post('auth/token', {})).body.jwt as string;
      expect((await caps(client(emu, fresh))).status).toBe(200);
    });
  });

  it('refuses JWTs without exp, forged ones and ones from another emulator', async () => {
    await withEmulator({}, async (emu) => {
      const noExp = await emu.issueJwt(null);
      expect(decodeJwt(noExp).exp).toBeUndefined();
      expect((await caps(client(emu, noExp))).body).toEqual({ detail: 'JWT has no exp claim' });
      const good = await emu.issueJwt();
      const [header, payload] = good.split('.');
      const forged = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`;
      expect((await caps(client(emu, forged))).status).toBe(401);
      await withEmulator({}, async (other) => {
        expect((await caps(client(emu, await other.issueJwt()))).status).toBe(401);
      });
      expect((await caps(client(emu, await emu.issueJwt(-1)))).body).toEqual({ detail: 'JWT expired' });
    });
  });
});
