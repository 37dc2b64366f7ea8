// Memory benchmarks, each in a fresh process started with --expose-gc so the baseline is a collected
// heap. Usage: node --expose-gc bench/memory-child.mjs download|upload-got|upload-undici → one JSON line.
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GotTransport,
  Ports,
  Type,
  UndiciTransport,
  createKernel,
  definePlugin,
} from '../packages/kernel/dist/index.js';
import { downloadCheckpoint } from '../examples/tinkex/dist/index.js';
import { childServer, peakRss } from './lib.mjs';
import { benchClient } from './tinkex-client.mjs';

const MiB = 1024 * 1024;
const mode = process.argv[2];
const work = await mkdtemp(join(tmpdir(), 'pristine-bench-memory-'));

/** Peak RSS growth over a collected-heap baseline while `job` runs, and its throughput. */
async function measure(bytes, job) {
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  const start = performance.now();
  const { peak } = await peakRss(job, 5);
  const seconds = (performance.now() - start) / 1000;
  return { megabytes: bytes / MiB, peak_rss_growth_mb: (peak - before) / MiB, MBps: bytes / MiB / seconds };
}

/** A 512 MiB checkpoint archive through Tinkex: archive URL, 302, streamed to disk, checked, extracted. */
async function download() {
  const padding = 512 * MiB;
  const emulator = await childServer('./emulator-child.mjs', [
    '',
    JSON.stringify({ archivePaddingBytes: padding }),
  ]);
  const service = benchClient(emulator.url);
  try {
    const training = await service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 4,
    });
    const { path } = await training.saveState('big');
    const rest = service.createRestClient();
    let downloaded = 0;
    const result = await measure(padding, () =>
      downloadCheckpoint(rest, path, {
        output_dir: join(work, 'checkpoint'),
        onProgress: (p) => (downloaded = p.downloadedBytes),
      }),
    );
    return { ...result, megabytes: downloaded / MiB };
  } finally {
    await service.close();
    await emulator.stop();
  }
}

/** A 200 MiB file from disk as a multipart upload through the kernel, to a server that discards it. */
async function upload(transport) {
  const size = 200 * MiB;
  const file = join(work, 'upload.bin');
  await writeFile(file, '');
  await truncate(file, size); // sparse: no disk I/O to create it
  const server = await childServer('./json-server.mjs');
  const kernel = createKernel().use(
    definePlugin({
      name: 'files',
      version: '1',
      defaults: { baseUrl: server.url, timeoutMs: 300_000 },
      manifest: {
        name: 'files',
        version: '1',
        endpoints: [
          {
            id: 'upload',
            method: 'POST',
            path: '/files',
            bodyType: 'multipart',
            input: Type.Object({ purpose: Type.String(), file: Type.Unknown() }),
          },
        ],
      },
    }),
  );
  kernel.register(Ports.Transport, transport);
  try {
    return await measure(size, () =>
      kernel.call('upload', { purpose: 'bench', file: { path: file, filename: 'upload.bin' } }),
    );
  } finally {
    await kernel.close();
    await server.stop();
  }
}

try {
  const result =
    mode === 'download'
      ? await download()
      : mode === 'upload-got'
        ? await upload(new GotTransport())
        : await upload(new UndiciTransport());
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await rm(work, { recursive: true, force: true });
}
