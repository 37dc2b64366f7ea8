import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';
import {
  APIConnectionError,
  CheckpointArchiveError,
  CorruptArchiveError,
  DownloadInterruptedError,
  downloadCheckpoint,
  ServiceClient,
  UnsafeArchiveError,
} from '../../src/index.js';
import { startArchiveServer, type ArchiveAnswer } from '../support/archive-server.js';
import { buildCli, runCli } from '../support/cli/run-cli.js';

import { snapshot } from '../support/cli/tree.js';
import { API_KEY } from './harness.js';

/** Build a tar from files laid out by `arrange` in a fresh directory. */
async function tarOf(entries: string[], arrange: (dir: string) => Promise<unknown>, preservePaths = false) {
  const root = await mkdtemp(join(tmpdir(), 'tinkex-tar-'));
  const dir = join(root, 'a', 'b');
  await mkdir(dir, { recursive: true });
  await arrange(dir);
  const file = join(root, 'out.tar');
  await tar.c({ file, cwd: dir, preservePaths }, entries);
  const bytes = await readFile(file);
  await rm(root, { recursive: true, force: true });
  return bytes;
}

describe('checkpoint archives the server should never send', () => {
  beforeAll(buildCli, 300_000);
  const answers: Record<string, ArchiveAnswer> = {};
  let server: Awaited<ReturnType<typeof startArchiveServer>>;
  let service: ServiceClient;
  let work: string;

  beforeAll(async () => {
    const good = await tarOf(['adapter_config.json', 'adapter_model.json'], (d) =>
      Promise.all([
        writeFile(join(d, 'adapter_config.json'), '{"r":4}'),
        writeFile(join(d, 'adapter_model.json'), 'x'.repeat(4000)),
      ]),
    );
    Object.assign(answers, {
      good: { body: good },
      'not-a-tar': { body: Buffer.from('<html><body>Access denied</body></html>\n'.repeat(30)) },
      empty: { body: Buffer.alloc(0) },
      truncated: { body: good.subarray(0, 1000) },
      'cut-connection': { body: good, cutAfter: 1000 },
      'cut-chunked': { body: good, cutAfter: 1000, chunked: true },
      'dot-dot': {
        body: await tarOf(['../evil.txt'], (d) => writeFile(join(d, '..', 'evil.txt'), 'x'), true),
      },
      'inner-symlink': {
        body: await tarOf(['adapter_config.json', 'link'], async (d) => {
          await writeFile(join(d, 'adapter_config.json'), '{}');
          await symlink('adapter_config.json', join(d, 'link'));
        }),
      },
      'write-through-symlink': {
        body: await tarOf(['d', 'd/x'], async (d) => {
          await mkdir(join(d, 'sub'));
          await writeFile(join(d, 'sub', 'x'), 'x');
          await symlink('sub', join(d, 'd'));
        }),
      },
      'escaping-symlink': { body: await tarOf(['link'], (d) => symlink('/etc/passwd', join(d, 'link'))) },
    });
    server = await startArchiveServer(answers);
    service = new ServiceClient({
      api_key: API_KEY,
      base_url: server.url,
      telemetry: false,
      log_level: 'off',
      env: {},
    });
    work = await mkdtemp(join(tmpdir(), 'tinkex-archive-errors-'));
  });
  afterAll(async () => {
    await service.close();
    await server.close();
    await rm(work, { recursive: true, force: true });
  });

  it('downloads the well-formed archive from the same server (the fixture works)', async () => {
    const out = join(work, 'good');
    const result = await downloadCheckpoint(service.createRestClient(), 'tinker://run-1/weights/good', {
      output_dir: out,
    });
    expect(result.destination).toBe(join(out, 'run-1_weights_good'));
    expect(result.files).toEqual(['adapter_config.json', 'adapter_model.json']);
  });

  it.each([
    ['not-a-tar', CorruptArchiveError],
    ['empty', CorruptArchiveError],
    ['truncated', CorruptArchiveError],
    ['cut-connection', DownloadInterruptedError],
    ['cut-chunked', DownloadInterruptedError],
    ['dot-dot', UnsafeArchiveError],
    ['inner-symlink', UnsafeArchiveError],
    ['write-through-symlink', UnsafeArchiveError],
    ['escaping-symlink', UnsafeArchiveError],
  ])(
    '%s: a typed error, no partial folder, and a forced replacement keeps the old folder',
    async (name, type) => {
      const out = join(work, name);
      const target = join(out, `run-1_weights_${name}`);
      await mkdir(out);
      await writeFile(join(out, 'other.txt'), 'unrelated');
      const rest = service.createRestClient();
      const fresh = downloadCheckpoint(rest, `tinker://run-1/weights/${name}`, { output_dir: out });
      await expect(fresh).rejects.toBeInstanceOf(type);
      const error = await fresh.catch((e: unknown) => e);
      expect((error as Error).name).toBe(type.name);
      if (type === DownloadInterruptedError) {
        // Still a connection error (retryable), saying how far the transfer got.
        expect(error).toBeInstanceOf(APIConnectionError);
        expect(error).toMatchObject({ retryable: true, downloadedBytes: 1000 });
        expect((error as Error).message).toMatch(/^The checkpoint download was cut after 1000 bytes/);
      } else expect(error).toBeInstanceOf(CheckpointArchiveError);
      expect(await readdir(out)).toEqual(['other.txt']);

      await mkdir(target);
      await writeFile(join(target, 'adapter_config.json'), 'the previous download');
      const before = await snapshot(out);
      await expect(
        downloadCheckpoint(rest, `tinker://run-1/weights/${name}`, { output_dir: out, force: true }),
      ).rejects.toBeInstanceOf(type);
      expect(await snapshot(out)).toEqual(before);
    },
  );

  it('the CLI says a cut download was cut (not that it could not connect), exits 1, creates nothing', async () => {
    const cwd = join(work, 'cli-cut');
    await mkdir(cwd);
    const result = await runCli(['checkpoint', 'download', 'tinker://run-1/weights/cut-connection'], {
      cwd,
      env: { TINKER_BASE_URL: server.url, TINKER_API_KEY: API_KEY },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Error: Download interrupted after 1000 B\b/m);
    expect(result.stderr).toContain('Run the command again');
    expect(result.stderr).not.toContain('Could not connect');
    expect(await snapshot(cwd)).toEqual({});
  }, 30_000);

  it('the CLI reports a corrupt archive by its class, exits 1 and creates nothing', async () => {
    const cwd = join(work, 'cli');
    await mkdir(cwd);
    await writeFile(join(cwd, 'notes.txt'), 'keep');
    const result = await runCli(['checkpoint', 'download', 'tinker://run-1/weights/truncated'], {
      cwd,
      env: { TINKER_BASE_URL: server.url, TINKER_API_KEY: API_KEY },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Error: CorruptArchiveError: /m);
    expect(await snapshot(cwd)).toEqual({ 'notes.txt': expect.any(String) });
  }, 30_000);
});
