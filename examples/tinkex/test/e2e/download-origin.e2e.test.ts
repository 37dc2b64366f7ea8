import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadCheckpoint } from '../../src/index.js';
import { startForwarder, type Host } from '../support/loopback-hosts.js';
import { API_KEY, setup, TEXT, textDatum } from './harness.js';

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const CF_ID = 'cf-download-client-id.access';
const CF_SECRET = 'cf-download-client-secret-0123456789';

/*
 * The checkpoint archive is served from a signed URL on another origin. Here the Tinker API (the
 * emulator behind a forwarder on one loopback port) hands out archive URLs on a second loopback port,
 * whose host records every header it receives and serves the emulator's archive.
 */
describe('checkpoint archive download to another origin', () => {
  it('sends the archive host none of the API key, CF-Access headers, default headers or SDK headers', async () => {
    let emulatorUrl = '';
    const archiveHost: Host = await startForwarder(() => emulatorUrl);
    const tinkerApi: Host = await startForwarder(
      () => emulatorUrl,
      (headers) => ({
        ...headers,
        ...(headers.location ? { location: headers.location.replace(emulatorUrl, archiveHost.url) } : {}),
      }),
    );
    cleanup.push(archiveHost.close, tinkerApi.close);
    const env = await setup(
      {},
      {
        base_url: tinkerApi.url,
        env: { CLOUDFLARE_ACCESS_CLIENT_ID: CF_ID, CLOUDFLARE_ACCESS_CLIENT_SECRET: CF_SECRET },
        default_headers: { 'X-Team': 'research' },
      },
    );
    emulatorUrl = env.emulator.url;
    cleanup.push(env.close);

    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 4,
    });
    await training.forwardBackward([textDatum(TEXT)], 'cross_entropy');
    const { path } = await training.saveState('ckpt');
    const out = await mkdtemp(join(tmpdir(), 'tinkex-origin-'));
    cleanup.push(() => rm(out, { recursive: true, force: true }));

    const { files } = await downloadCheckpoint(env.service.createRestClient(), path, {
      output_dir: join(out, 'ckpt'),
    });

    expect(files).toEqual(['adapter_config.json', 'adapter_model.safetensors', 'checkpoint_complete']);
    // The Tinker API got every header meant for it...
    const apiCall = tinkerApi.seen.at(-1)!;
    // (the API key, or in JWT mode the JWT it was exchanged for)
    const credential = String(apiCall['x-api-key']);
    if (env.mode === 'v025-jwt-zstd') expect(credential).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    else expect(credential).toBe(API_KEY);
    expect(apiCall['cf-access-client-id']).toBe(CF_ID);
    expect(apiCall['cf-access-client-secret']).toBe(CF_SECRET);
    expect(apiCall['x-team']).toBe('research');
    // ...and the archive host only what a plain download needs.
    expect(archiveHost.seen).toHaveLength(1);
    const download = archiveHost.seen[0];
    const sent = Object.keys(download).sort();
    for (const name of sent)
      expect(name).not.toMatch(/^(x-api-key|authorization|cf-access-|x-team|x-stainless-)/);
    for (const secret of [API_KEY, credential, CF_ID, CF_SECRET])
      expect(JSON.stringify(download)).not.toContain(secret);
    expect(download['user-agent']).toMatch(/^Tinkex\/TypeScript /);
  });
});
