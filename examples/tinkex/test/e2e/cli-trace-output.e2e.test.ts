import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAccountApi, TRACE } from '../support/cli/account-api.js';
import { buildCli, runCli } from '../support/cli/run-cli.js';

/**
 * Where `session export-trace` writes: found by hand, `-o` naming an existing folder downloaded the
 * whole trace and then failed with a raw `EISDIR … rename '<dir>.partial' -> '<dir>'`, and the staging
 * file was always `<output>.partial`, so a file of the user's by that name was overwritten and deleted.
 */
describe('tinkex session export-trace: the output path (spawned CLI)', () => {
  let api: Awaited<ReturnType<typeof startAccountApi>>;
  let work: string;

  beforeAll(async () => {
    [api] = await Promise.all([startAccountApi(), buildCli()]);
    work = await mkdtemp(join(tmpdir(), 'tinkex-cli-trace-'));
  }, 300_000);
  afterAll(async () => {
    await api.close();
    await rm(work, { recursive: true, force: true });
  });

  const cli = (...args: string[]) =>
    runCli(args, { cwd: work, env: { TINKER_BASE_URL: api.url, TINKER_API_KEY: 'tml-account' } });
  const exports = () => api.seen.filter((r) => r.includes('trace_export')).length;

  it('refuses an output that is a folder before asking for the export', async () => {
    await mkdir(join(work, 'traces'));
    const before = exports();
    const result = await cli('session', 'export-trace', 'sess-1', '-o', 'traces');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`\nError: --output ${join(work, 'traces')} is a folder; name a file`);
    expect(result.stderr).not.toMatch(/EISDIR|\.partial/);
    expect(exports()).toBe(before); // nothing was sent
    expect(await readdir(join(work, 'traces'))).toEqual([]);
  }, 60_000);

  it("leaves a file of the user's named <output>.partial alone, on success and when the download breaks", async () => {
    await writeFile(join(work, 'mine.pftrace.partial'), 'my notes');
    const ok = await cli('session', 'export-trace', 'sess-1', '-o', 'mine.pftrace');
    expect(ok.code).toBe(0);
    expect(await readFile(join(work, 'mine.pftrace'))).toEqual(TRACE);

    await writeFile(join(work, 'cut.pftrace.partial'), 'mine too');
    const cut = await cli('session', 'export-trace', 'sess-cut', '-o', 'cut.pftrace');
    expect(cut.code).toBe(1);

    expect(await readFile(join(work, 'mine.pftrace.partial'), 'utf8')).toBe('my notes');
    expect(await readFile(join(work, 'cut.pftrace.partial'), 'utf8')).toBe('mine too');
    // Nothing of the broken download is left behind: no cut.pftrace, no staging file.
    expect((await readdir(work)).filter((f) => f.startsWith('cut') || f.includes('tinkex'))).toEqual([
      'cut.pftrace.partial',
    ]);
  }, 60_000);

  it('--url-only shows control characters in the server-given URL instead of obeying them', async () => {
    const [table, json] = await Promise.all([
      cli('session', 'export-trace', 'sess-hostile', '--url-only'),
      cli('session', 'export-trace', 'sess-hostile', '--url-only', '--format', 'json'),
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout).toBe(`${api.url}/signed/t.pftrace?sig=␛[2J␛]0;owned␇␍\n`);
    // JSON mode keeps the exact string (JSON escapes it), for scripts that use the URL.
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).url).toBe(
      `${api.url}/signed/t.pftrace?sig=\u001b[2J\u001b]0;owned\u0007\r`,
    );
  }, 60_000);
});
