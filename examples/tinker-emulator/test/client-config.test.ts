import { describe, expect, it } from '@jest/globals';
import { CLIENT_CONFIG_DEFAULTS } from '../src/protocol/client-config.js';
import { parseFlags } from '../src/protocol/client-config.js';
import { startEmulator } from '../src/index.js';
import { client, KEY, withEmulator } from './helpers.js';

const ALL_FLAGS = [
  'pjwt_auth_enabled',
  'credential_default_source',
  'sample_dispatch_bytes_semaphore_size',
  'inflight_response_bytes_semaphore_size',
  'parallel_fwdbwd_chunks',
  'proto_compress_fwdbwd',
  'fwdbwd_max_chunk_len',
  'fwdbwd_max_chunk_bytes_count',
  'fwdbwd_dispatch_bytes_semaphore_size',
  'billing_exception_max_pause_duration_sec',
  'sample_no_retries',
  'sample_enable_stuck_detection',
  'sample_max_concurrent_requests',
  'use_pyqwest_transport',
  'create_model_via_load_weights',
];

describe('client/config and client/dynamic_config', () => {
  it('answers every ClientConfigResponse flag with the SDK defaults, except use_pyqwest_transport false', async () => {
    await withEmulator({}, async (emu) => {
      const res = await client(emu).post('client/config', { sdk_version: '0.25.0' });
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual([...ALL_FLAGS].sort());
      expect(res.body).toEqual({
        pjwt_auth_enabled: false,
        credential_default_source: 'api_key',
        sample_dispatch_bytes_semaphore_size: 10485760,
        inflight_response_bytes_semaphore_size: 52428800,
        parallel_fwdbwd_chunks: true,
        proto_compress_fwdbwd: false,
        fwdbwd_max_chunk_len: 1024,
        fwdbwd_max_chunk_bytes_count: 5000000,
        fwdbwd_dispatch_bytes_semaphore_size: 50000000,
        billing_exception_max_pause_duration_sec: 3600,
        sample_no_retries: false,
        sample_enable_stuck_detection: true,
        sample_max_concurrent_requests: 2000,
        use_pyqwest_transport: false,
        create_model_via_load_weights: false,
      });
      const dynamic = await client(emu).post('client/dynamic_config', { sdk_version: '0.25.0' });
      expect(dynamic.body).toEqual({ refresh_interval_sec: 300 });
    });
  });

  it('takes flags from options and changes them at run time', async () => {
    await withEmulator(
      {
        clientConfig: { pjwt_auth_enabled: true, fwdbwd_max_chunk_len: 2 },
        dynamicConfig: { refresh_interval_sec: 10 },
      },
      async (emu) => {
        const api = client(emu);
        expect((await api.post('client/config', { sdk_version: '0.25.0' })).body).toMatchObject({
          pjwt_auth_enabled: true,
          fwdbwd_max_chunk_len: 2,
          proto_compress_fwdbwd: false,
        });
        emu.setClientConfig({ proto_compress_fwdbwd: true });
        emu.setDynamicConfig({ refresh_interval_sec: 20 });
        expect((await api.post('client/config', { sdk_version: '0.25.0' })).body).toMatchObject({
          pjwt_auth_enabled: true,
          proto_compress_fwdbwd: true,
        });
        expect((await api.post('client/dynamic_config', { sdk_version: '0.25.0' })).body).toEqual({
          refresh_interval_sec: 20,
        });
      },
    );
  });

  it('refuses zero where the client needs at least one (a size, a count, an interval), not a zero pause', async () => {
    await expect(startEmulator({ dynamicConfig: { refresh_interval_sec: 0 } })).rejects.toThrow(
      'flag refresh_interval_sec must be an integer of at least 1, got 0',
    );
    await expect(
      startEmulator({ clientConfig: { sample_dispatch_bytes_semaphore_size: 0 } }),
    ).rejects.toThrow('flag sample_dispatch_bytes_semaphore_size must be an integer of at least 1, got 0');
    // No waiting inside a billing pause is a meaningful setting.
    const emu = await startEmulator({ clientConfig: { billing_exception_max_pause_duration_sec: 0 } });
    await emu.close();
  });

  it('refuses unknown or mistyped flags, naming the flag, before it listens', async () => {
    await expect(startEmulator({ clientConfig: { pjwt: true } as never })).rejects.toThrow(
      /unknown flag "pjwt"/,
    );
    await expect(startEmulator({ clientConfig: { fwdbwd_max_chunk_len: -1 } })).rejects.toThrow(
      /fwdbwd_max_chunk_len must be an integer of at least 1/,
    );
    expect(() => parseFlags(['proto_compress_fwdbwd=yes'], CLIENT_CONFIG_DEFAULTS)).toThrow(
      /proto_compress_fwdbwd must be true or false/,
    );
    expect(() => parseFlags(['credential_default_source=env'], CLIENT_CONFIG_DEFAULTS)).toThrow(
      /credential_default_source must be one of api_key, credential_cmd/,
    );
    expect(() => parseFlags(['fwdbwd_max_chunk_len'], CLIENT_CONFIG_DEFAULTS)).toThrow(/name=value/);
    expect(
      parseFlags(
        ['pjwt_auth_enabled=true', 'fwdbwd_max_chunk_len=1', 'credential_default_source=credential_cmd'],
        CLIENT_CONFIG_DEFAULTS,
      ),
    ).toEqual({
      pjwt_auth_enabled: true,
      fwdbwd_max_chunk_len: 1,
      credential_default_source: 'credential_cmd',
    });
  });

  it('requires a credential and validates the body like every endpoint', async () => {
    await withEmulator({}, async (emu) => {
      expect((await client(emu, 'nope').post('client/config', { sdk_version: '0.25.0' })).status).toBe(401);
      const bad = await client(emu).post('client/config', { sdk_version: 25 });
      expect(bad).toMatchObject({ status: 400, body: { field: 'sdk_version' } });
    });
  });
});

describe('--legacy-json mode (a server that predates client/config)', () => {
  it('answers 404 on client/config, dynamic_config and auth/token, and serves the JSON protocol', async () => {
    await withEmulator({ legacyJson: true }, async (emu) => {
      const api = client(emu);
      expect((await api.post('client/config', { sdk_version: '0.25.0' })).status).toBe(404);
      expect((await api.post('client/dynamic_config', { sdk_version: '0.25.0' })).status).toBe(404);
      expect((await api.post('auth/token', {})).status).toBe(404);
      const session = await api.post('create_session', { tags: [], user_metadata: {}, sdk_version: '0.7.0' });
      expect(session.status).toBe(200);
      const zstd = await fetch(`${emu.url}/api/v1/forward_backward`, {
        method: 'POST',
        headers: { 'x-api-key': KEY, 'content-type': 'application/json', 'content-encoding': 'zstd' },
        body: Buffer.from('28b52ffd2000010000', 'hex'),
      });
      expect(zstd.status).toBe(415);
    });
  });
});
