import { describe, expect, it } from '@jest/globals';
import { client, openModel, withEmulator } from './helpers.js';

const OWNER = 'tml-owner-account-key';
const OTHER = 'tml-other-account-key';
const accounts = { [OWNER]: 'owner', [OTHER]: 'other' };

/** A checkpoint saved by a session of the `owner` account. */
async function ownersCheckpoint(emu: Parameters<typeof client>[0]) {
  const owner = client(emu, OWNER);
  const { modelId } = await openModel(owner, 4);
  const saved = await owner.submit('save_weights', { model_id: modelId, path: 'mine', seq_id: 1 });
  return saved.path as string;
}

/**
 * With `accounts`, a checkpoint belongs to the account whose session saved it: another account's key
 * cannot read it (weights_info, load_weights in both forms) unless it carries a `weights_access_token`
 * of the owner. This is what lets a client test prove which credential it sent.
 */
describe('checkpoint ownership between accounts', () => {
  it('refuses weights_info to another account, answers it to the owner (key or JWT)', async () => {
    await withEmulator({ accounts }, async (emu) => {
      const path = await ownersCheckpoint(emu);
      const refused = await client(emu, OTHER).post('weights_info', { tinker_path: path });
      expect(refused).toMatchObject({ status: 403, body: { field: 'tinker_path' } });
      expect(JSON.stringify(refused.body)).toContain('another account');
      expect((await client(emu, OWNER).post('weights_info', { tinker_path: path })).status).toBe(200);
      // The JWT auth/token issues for the owner's key is the owner's too.
      const { jwt } = (await client(emu, OWNER).post('auth/token', {})).body as { jwt: string };
      expect((await client(emu, jwt).post('weights_info', { tinker_path: path })).status).toBe(200);
      const otherJwt = (await client(emu, OTHER).post('auth/token', {})).body.jwt as string;
      expect((await client(emu, otherJwt).post('weights_info', { tinker_path: path })).status).toBe(403);
    });
  });

  it('loads another account’s checkpoint only with a weights_access_token of the owner', async () => {
    await withEmulator({ accounts }, async (emu) => {
      const path = await ownersCheckpoint(emu);
      const other = client(emu, OTHER);
      const { session, modelId } = await openModel(other, 4);
      const legacy = (seq: number, token?: string) =>
        other.post('load_weights', {
          model_id: modelId,
          seq_id: seq,
          path,
          optimizer: false,
          ...(token ? { weights_access_token: token } : {}),
        });
      const without = await legacy(1);
      expect((await other.result(without.body.request_id)).body).toMatchObject({
        error: expect.stringContaining('another account'),
      });
      const wrongToken = await legacy(2, OTHER);
      expect((await other.result(wrongToken.body.request_id)).body).toMatchObject({
        error: expect.stringContaining('another account'),
      });
      const withToken = await legacy(3, OWNER);
      expect((await other.result(withToken.body.request_id)).body).toEqual({ type: 'load_weights', path });

      const viaLoad = (seq: number, token?: string) =>
        other.post('load_weights', {
          session_id: session,
          model_seq_id: seq,
          path,
          optimizer: false,
          ...(token ? { weights_access_token: token } : {}),
        });
      expect(await viaLoad(1)).toMatchObject({ status: 403, body: { field: 'path' } });
      expect((await viaLoad(2, OWNER)).status).toBe(200);
    });
  });

  it('refuses another account its archive, publish, unpublish, TTL and delete (found with the tinker CLI)', async () => {
    await withEmulator({ accounts }, async (emu) => {
      const path = await ownersCheckpoint(emu);
      const [, run, name] = /^tinker:\/\/([^/]+)\/weights\/(.+)$/.exec(path)!;
      const at = `/api/v1/training_runs/${run}/checkpoints/weights/${name}`;
      const other = client(emu, OTHER);
      for (const [method, suffix, body] of [
        ['GET', '/archive', undefined],
        ['POST', '/publish', undefined],
        ['PUT', '/ttl', { ttl_seconds: 60 }],
        ['DELETE', '', undefined],
      ] as const) {
        const refused = await other.call(method, `${at}${suffix}`, body);
        expect({ method, suffix, status: refused.status }).toEqual({ method, suffix, status: 403 });
        expect(JSON.stringify(refused.body)).toContain('another account');
      }
      const owner = client(emu, OWNER);
      expect((await owner.call('POST', `${at}/publish`)).status).toBeLessThan(300);
      // Public: anyone may download it, only its owner may take it back.
      expect((await other.call('GET', `${at}/archive`)).status).toBe(302);
      expect((await other.call('DELETE', `${at}/publish`)).status).toBe(403);
      expect((await owner.call('DELETE', `${at}/publish`)).status).toBeLessThan(300);
      expect((await owner.call('DELETE', at)).status).toBeLessThan(300);
    });
  });

  it('keeps one account for every key by default, and lets anyone read a public checkpoint', async () => {
    await withEmulator({}, async (emu) => {
      const path = await ownersCheckpoint(emu);
      expect((await client(emu, OTHER).post('weights_info', { tinker_path: path })).status).toBe(200);
    });
    await withEmulator({ accounts }, async (emu) => {
      const path = await ownersCheckpoint(emu);
      const [, run, name] = /^tinker:\/\/([^/]+)\/weights\/(.+)$/.exec(path)!;
      const published = await client(emu, OWNER).call(
        'POST',
        `/api/v1/training_runs/${run}/checkpoints/weights/${name}/publish`,
      );
      expect(published.status).toBeLessThan(300);
      expect((await client(emu, OTHER).post('weights_info', { tinker_path: path })).status).toBe(200);
    });
  });
});
