import { afterEach, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import type { ResponseCoding } from 'tinker-emulator';
import { downloadCheckpoint, NotFoundError, type SampleStreamChunk } from '../../src/index.js';
import { API_KEY, bytes, E2E_MODES, setup, TEXT, textDatum, type E2EMode } from './harness.js';

/**
 * Accept-Encoding as the official client of each generation sends it (tinker-wire-0.25.md §1: `gzip,
 * deflate, zstd` on every request; tinker-wire-0.7.0.md §2: httpx's default `gzip, deflate`), and Tinkex
 * against a server (or a proxy in front of it) that does compress: JSON, protobuf results, error bodies,
 * the SSE stream and the archive, with the same results as against one that does not.
 */
let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const OFFERED: Record<E2EMode, string> = {
  v025: 'gzip, deflate, zstd',
  'v025-jwt-zstd': 'gzip, deflate, zstd',
  legacy: 'gzip, deflate',
};

/** zstd where this Node's zlib writes it (≥ 22.15): the emulator cannot compress with it elsewhere. */
const zlibZstd =
  typeof (zlib as unknown as { createZstdCompress?: unknown }).createZstdCompress === 'function';
const CODINGS: ResponseCoding[] = ['gzip', 'deflate', ...(zlibZstd ? (['zstd'] as const) : [])];

/** Training, sampling (whole and streamed), an error answer and the archive; what each gave. */
async function flow(env: Awaited<ReturnType<typeof setup>>) {
  const training = await env.service.createLoraTrainingClient({
    base_model: 'meta-llama/Llama-3.2-1B',
    rank: 4,
  });
  const fb = await training.forwardBackward([textDatum(TEXT)], 'cross_entropy');
  await training.optimStep({ learning_rate: 1e-4 });
  const { path } = await training.saveState('ckpt');
  const sampler = await env.service.createSamplingClient({ base_model: 'tinkex/byte-tiny' });
  const request = { prompt: bytes('The quick'), sampling_params: { max_tokens: 4, temperature: 0 } };
  const sampled = await sampler.sample({ ...request, num_samples: 2 });
  const streamed: SampleStreamChunk[] = [];
  for await (const chunk of sampler.sampleStream(request)) streamed.push(chunk);
  const rest = env.service.createRestClient();
  const missing = await rest.getTrainingRun('no-such-run').catch((e: unknown) => e);
  const out = await mkdtemp(join(tmpdir(), 'tinkex-e2e-enc-'));
  cleanup.push(() => rm(out, { recursive: true, force: true }));
  const { files, destination } = await downloadCheckpoint(rest, path, { output_dir: out });
  // Session ids differ per emulator start (a restarted one never reuses them): the config must name the
  // checkpoint this run saved, and the rest of it must be the same as the uncompressed run's.
  const { tinker_path, ...config } = JSON.parse(
    await readFile(join(destination, 'adapter_config.json'), 'utf8'),
  ) as { tinker_path?: string };
  return {
    loss: fb.metrics['loss:mean'],
    samples: sampled.sequences.map((s) => s.tokens),
    streamed: streamed.map((c) => c.type),
    missing: missing instanceof NotFoundError ? missing.message : missing,
    files,
    config,
    namesSavedCheckpoint: tinker_path === path,
  };
}

/** The coding the emulator answers a plain GET with when offered what Tinkex offers. */
function codingOf(url: string, offered: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    http
      .get(
        `${url}/api/v1/training_runs`,
        { headers: { 'x-api-key': API_KEY, 'accept-encoding': offered } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.headers['content-encoding']));
        },
      )
      .on('error', reject);
  });
}

describe.each(E2E_MODES)('Accept-Encoding and compressed answers (%s)', (mode) => {
  it('offers what the official client of this generation offers, on every request; the archive download asks for identity', async () => {
    const env = await setup({}, {}, mode);
    cleanup.push(env.close);
    await flow(env);
    const log = env.emulator.requestLog();
    const downloads = log.filter((r) => r.path.startsWith('/downloads/'));
    expect(downloads).toHaveLength(1);
    expect(downloads[0].headers['accept-encoding']).toBe('identity');
    // In legacy mode `client/config` (answered 404) is the 0.25 question, asked as 0.25 asks it.
    const probe = (r: { path: string; status: number }) =>
      r.path === '/api/v1/client/config' && r.status === 404;
    // One per holder, each on its own first call: the sessionful one's before `create_session`, the
    // session-less one's before the first REST call. Always two in this flow (round 30 thought it was
    // one or two by test order; 9 runs in any order, on the merge and on wire30's tip, gave two).
    const probes = log.filter(probe).map((r) => r.headers['accept-encoding']);
    expect(probes).toEqual(mode === 'legacy' ? [OFFERED.v025, OFFERED.v025] : []);
    if (mode === 'legacy') {
      const paths = log.map((r) => r.path);
      expect(paths.slice(0, 2)).toEqual(['/api/v1/client/config', '/api/v1/create_session']);
      const restProbe = paths.lastIndexOf('/api/v1/client/config');
      expect(restProbe).toBeGreaterThan(paths.indexOf('/api/v1/stream_sample'));
      expect(restProbe).toBeLessThan(paths.indexOf('/api/v1/training_runs/no-such-run'));
    }
    const api = log.filter((r) => !r.path.startsWith('/downloads/') && !probe(r));
    // The handshake (0.25), training, futures, sampling, the SSE stream, REST and the archive URL.
    const paths = new Set(api.map((r) => r.path.replace(/\?.*$/, '')));
    for (const path of ['/api/v1/create_session', '/api/v1/retrieve_future', '/api/v1/stream_sample'])
      expect(paths).toContain(path);
    if (mode !== 'legacy') expect(paths).toContain('/api/v1/client/config');
    expect(new Set(api.map((r) => r.headers['accept-encoding']))).toEqual(new Set([OFFERED[mode]]));
  });

  it.each(CODINGS)(
    'works against a server that compresses with %s: the same results as uncompressed',
    async (coding) => {
      const plain = await setup({}, {}, mode);
      cleanup.push(plain.close);
      const expected = await flow(plain);
      const env = await setup({ compressResponses: [coding] }, {}, mode);
      cleanup.push(env.close);
      // Legacy mode offers no zstd (0.7.0's httpx did not), so a zstd-only server answers it plain: the
      // case then checks that nothing unoffered arrives (found on Node 24, whose zlib writes zstd).
      const offered = OFFERED[mode].split(', ').includes(coding);
      expect(await codingOf(env.emulator.url, OFFERED[mode])).toBe(offered ? coding : undefined);
      const got = await flow(env);
      expect(got).toEqual(expected);
      expect(got.streamed.at(-1)).toBe('done');
      expect(got.missing).toMatch(/not found/i);
      expect(got.files).toEqual(['adapter_config.json', 'adapter_model.safetensors', 'checkpoint_complete']);
      expect(got.namesSavedCheckpoint).toBe(true);
    },
  );

  it('hands over a .tar.gz stored with Content-Encoding: gzip as the .tar.gz (no second gunzip)', async () => {
    const env = await setup({}, {}, mode);
    cleanup.push(env.close);
    // A storage bucket serving an object uploaded with `Content-Encoding: gzip` metadata sends it so,
    // whatever the request asked for.
    const file = zlib.gzipSync(Buffer.from('a tar archive, say'));
    const seen: Array<string | undefined> = [];
    const bucket = http.createServer((req, res) => {
      seen.push(req.headers['accept-encoding']);
      res.writeHead(200, {
        'content-type': 'application/gzip',
        'content-encoding': 'gzip',
        'content-length': file.length,
      });
      res.end(file);
    });
    await new Promise<void>((resolve) => bucket.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => bucket.close(() => resolve())));
    const { port } = bucket.address() as { port: number };
    const download = await env.service
      .createRestClient()
      .openDownload(`http://127.0.0.1:${port}/ckpt.tar.gz?sig=1`);
    const chunks: Buffer[] = [];
    for await (const chunk of download.body as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
    expect(Buffer.concat(chunks)).toEqual(file);
    expect(download.size).toBe(file.length);
    expect(seen).toEqual(['identity']);
  });
});
