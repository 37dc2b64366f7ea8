import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock, Ports, StreamIdleTimeoutError } from 'pristine-kernel';
import {
  APIConnectionError,
  APIUserAbortError,
  ClientClosedError,
  DownloadInterruptedError,
  downloadCheckpoint,
  ServiceClient,
  type TinkerKernel,
} from '../../src/index.js';
import { startArchiveServer } from '../support/archive-server.js';
import { API_KEY } from './harness.js';

// One mode only: the archive comes from a signed URL on another origin, the same request in every
// protocol mode, and the loopback archive server stands in for both Tinker and the storage host.
//
// Found by hand (round 24): `kill -STOP` on the server during `downloadCheckpoint` left the promise
// pending for ever (watched for 130 s), its staging folder on disk, as nothing bounded the wait between
// two body chunks. Now the download's 60 s timeout bounds each wait and the failure is the documented
// DownloadInterruptedError.
describe('a checkpoint download whose server stops sending mid-body', () => {
  let server: Awaited<ReturnType<typeof startArchiveServer>>;
  let work: string;
  beforeAll(async () => {
    server = await startArchiveServer({ stall: { body: Buffer.alloc(10_000, 1), stallAfter: 1000 } });
    work = await mkdtemp(join(tmpdir(), 'tinkex-archive-stall-'));
  });
  afterAll(async () => {
    await server.close();
    await rm(work, { recursive: true, force: true });
  });
  const client = (configureKernel?: (kernel: TinkerKernel) => void) =>
    new ServiceClient({
      api_key: API_KEY,
      base_url: server.url,
      telemetry: false,
      log_level: 'off',
      env: {},
      configureKernel,
    });

  it('rejects with DownloadInterruptedError after the 60 s timeout and leaves no folder behind', async () => {
    const clock = new FakeClock();
    const service = client((kernel) => kernel.register(Ports.Clock, clock));
    const out = join(work, 'out');
    await mkdir(out);
    await writeFile(join(out, 'other.txt'), 'unrelated');
    let received!: () => void;
    const firstBytes = new Promise<void>((resolve) => (received = resolve));
    const download = downloadCheckpoint(service.createRestClient(), 'tinker://run-1/weights/stall', {
      output_dir: out,
      onProgress: ({ downloadedBytes }) => downloadedBytes === 1000 && received(),
    });
    const outcome = download.then(
      () => undefined,
      (error: unknown) => error,
    );
    await firstBytes;
    await new Promise((resolve) => setImmediate(resolve));
    await clock.advance(59_999);
    expect(await Promise.race([outcome, Promise.resolve('pending')])).toBe('pending');
    await clock.advance(1);
    const error = await outcome;
    expect(error).toBeInstanceOf(DownloadInterruptedError);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error).toMatchObject({ retryable: true, downloadedBytes: 1000, totalBytes: 10_000 });
    expect((error as Error).cause).toBeInstanceOf(StreamIdleTimeoutError);
    expect((error as Error).message).toMatch(/cut after 1000 bytes of 10000: .*sent nothing for longer than/);
    expect(await readdir(out)).toEqual(['other.txt']);
    await service.close();
  });

  it('close() during the download rejects it with ClientClosedError and leaves no folder behind', async () => {
    // Found by hand (round 24): it said "The checkpoint download was cut …", a retryable connection error.
    const service = client();
    const out = join(work, 'closed');
    await mkdir(out);
    let received!: () => void;
    const firstBytes = new Promise<void>((resolve) => (received = resolve));
    const download = downloadCheckpoint(service.createRestClient(), 'tinker://run-1/weights/stall', {
      output_dir: out,
      onProgress: () => received(),
    }).catch((error: unknown) => error);
    await firstBytes;
    await service.close();
    const error = await download;
    expect(error).toBeInstanceOf(ClientClosedError);
    expect(error).not.toBeInstanceOf(APIConnectionError);
    expect(await readdir(out)).toEqual([]);
  });

  it("an abort mid-body rejects with APIUserAbortError whose cause is the signal's reason", async () => {
    // Found by hand (round 37): aborted before the body, the error's cause was the reason, as documented;
    // aborted mid-body, it was a fresh APIUserAbortError without one, so an `AbortSignal.timeout` or a
    // caller's own reason read as a bare abort.
    const service = client();
    const out = join(work, 'aborted');
    await mkdir(out);
    const job = new AbortController();
    const reason = new Error('the user left');
    const download = downloadCheckpoint(service.createRestClient(), 'tinker://run-1/weights/stall', {
      output_dir: out,
      signal: job.signal,
      onProgress: () => job.abort(reason),
    }).catch((error: unknown) => error);
    const error = await download;
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect((error as Error).cause).toBe(reason);
    expect(await readdir(out)).toEqual([]);
    await service.close();
  });
});
