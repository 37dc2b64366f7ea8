import { describe, expect, it } from '@jest/globals';
import { startEmulator } from '../src/index.js';
import { CLIENT_CONFIG_DEFAULTS } from '../src/protocol/client-config.js';
import { client, withEmulator } from './helpers.js';

/**
 * A member given as `undefined` means the default, as an absent one does (`{ flag: env.X ? true :
 * undefined }` is how callers build options); spreads such as `{ ...DEFAULTS, ...given }` let it replace
 * the default instead, or the checks refused it.
 */
describe('emulator options: undefined means the default', () => {
  it('clientConfig and dynamicConfig members given as undefined take their defaults', () =>
    withEmulator(
      {
        clientConfig: { pjwt_auth_enabled: undefined, fwdbwd_max_chunk_len: 7 },
        dynamicConfig: { refresh_interval_sec: undefined },
      },
      async (emu) => {
        const api = client(emu);
        const config = await api.post('client/config', { sdk_version: '0.25.0' });
        expect(config.body).toEqual({ ...CLIENT_CONFIG_DEFAULTS, fwdbwd_max_chunk_len: 7 });
        const dynamic = await api.post('client/dynamic_config', { sdk_version: '0.25.0' });
        expect(dynamic.body).toEqual({ refresh_interval_sec: 300 });
      },
    ));

  it('setClientConfig and setDynamicConfig leave a member given as undefined as it was', () =>
    withEmulator({ clientConfig: { fwdbwd_max_chunk_len: 7 } }, async (emu) => {
      emu.setClientConfig({ fwdbwd_max_chunk_len: undefined, sample_no_retries: true });
      emu.setDynamicConfig({ refresh_interval_sec: undefined });
      const api = client(emu);
      const config = await api.post('client/config', { sdk_version: '0.25.0' });
      expect(config.body).toMatchObject({ fwdbwd_max_chunk_len: 7, sample_no_retries: true });
      const dynamic = await api.post('client/dynamic_config', { sdk_version: '0.25.0' });
      expect(dynamic.body).toEqual({ refresh_interval_sec: 300 });
    }));

  it('protobufResults members are checked by name; undefined takes the default', async () => {
    await expect(startEmulator({ protobufResults: { float: 'bf16' as never } })).rejects.toThrow(
      'protobufResults.float must be one of float32, bfloat16, got "bf16"',
    );
    await expect(startEmulator({ protobufResults: { records: 'all' as never } })).rejects.toThrow(
      'protobufResults.records must be one of one, per-datum, got "all"',
    );
    const emu = await startEmulator({ protobufResults: { records: undefined, float: 'bfloat16' } });
    await emu.close();
  });
});
