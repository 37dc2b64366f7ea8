import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_USAGE, startAccountApi, TRACE, USAGE } from '../support/cli/account-api.js';
import { buildCli, runCli, startCli } from '../support/cli/run-cli.js';

/**
 * The 0.24 account endpoints (trace export, billing usage), which the emulator does not serve, from a
 * small loopback server that answers as the Tinker API does; and a server that never answers, for Ctrl-C.
 */
describe('tinkex session export-trace / billing usage / Ctrl-C (spawned CLI)', () => {
  let api: Awaited<ReturnType<typeof startAccountApi>>;
  let base: string;
  let silent: TcpServer;
  let silentUrl: string;
  let work: string;
  const held: Socket[] = [];

  beforeAll(async () => {
    silent = createTcpServer((socket) => held.push(socket)); // accepts, never answers
    await Promise.all([
      startAccountApi().then((started) => (api = started)),
      new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve)),
      buildCli(),
    ]);
    base = api.url;
    silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
    work = await mkdtemp(join(tmpdir(), 'tinkex-cli-account-'));
  }, 300_000);
  afterAll(async () => {
    await api.close();
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
    await rm(work, { recursive: true, force: true });
  });

  const cli = (...args: string[]) =>
    runCli(args, { cwd: work, env: { TINKER_BASE_URL: base, TINKER_API_KEY: 'tml-account' } });

  it('export-trace polls until ready, downloads to ./<id>.pftrace or -o, or prints the URL', async () => {
    const saved = await cli('session', 'export-trace', 'sess-1', '-f', 'json');
    expect(saved.code).toBe(0);
    expect(JSON.parse(saved.stdout)).toEqual({
      session_id: 'sess-1',
      destination: join(work, 'sess-1.pftrace'),
      file_size_bytes: TRACE.length,
    });
    expect(await readFile(join(work, 'sess-1.pftrace'))).toEqual(TRACE);
    expect(api.seen.filter((r) => r.includes('trace_export')).length).toBeGreaterThanOrEqual(2); // polled

    const [custom, urlOnly, urlJson, failed] = await Promise.all([
      cli('session', 'export-trace', 'sess-1', '--output=traces/mine.pftrace'),
      cli('session', 'export-trace', 'sess-1', '--url-only'),
      cli('session', 'export-trace', 'sess-1', '--url-only', '-f', 'json'),
      cli('session', 'export-trace', 'sess-bad'),
    ]);
    expect(custom.stdout).toMatch(/Saved to +│ .*traces\/mine\.pftrace/);
    expect(await readFile(join(work, 'traces', 'mine.pftrace'))).toEqual(TRACE);
    expect(custom.stderr).toContain('Exporting trace for session sess-1');
    expect(urlOnly.stdout).toBe(`${base}/signed/t.pftrace?sig=1\n`);
    expect(JSON.parse(urlJson.stdout)).toEqual({
      session_id: 'sess-1',
      url: `${base}/signed/t.pftrace?sig=1`,
    });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/Error: Trace export failed for session sess-bad\nDetails: too large/);
    // The failed export wrote nothing. (Other tests in this file share `work`, in any order: only
    // this test's files are asserted.)
    const files = await readdir(work);
    expect(files).toEqual(expect.arrayContaining(['sess-1.pftrace', 'traces']));
    expect(files.filter((f) => f.includes('sess-bad'))).toEqual([]);
  }, 60_000);

  // As `tinker` 0.25 prints them: through the SDK's `BillingUsageEvent`, so every envelope field is a
  // column and a JSON key (null when the server left it out, as the first two rows do), in the model's
  // order, and a boolean cell is Python's `True`/`False`.
  it("billing usage: a flattened table, nested JSON, CSV to a file or stdout, in tinker's columns", async () => {
    const window = ['billing', 'usage', '2026-07-13T00:00:00Z', '2026-07-14T00:00:00Z'];
    const [table, json, csv, sessions] = await Promise.all([
      cli(...window),
      cli(...window, '-f', 'json'),
      cli(...window, '--csv', '-'),
      cli(...window, '--sessions-csv=sessions.csv'),
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^3 hourly usage row\(s\)\n/);
    expect(table.stdout).toMatch(
      /bucket_start +│ bucket_end +│ base_model +│ user_id +│ user_name +│ session_id +│ project_id +│ type +│ tokens +│ gigabyte_hours +│ cached +│ token_count/,
    );
    const unnamed = { user_id: null, user_name: null };
    expect(JSON.parse(json.stdout)).toEqual({
      ...USAGE,
      data: USAGE.data.map((row) => ({ ...unnamed, ...row })),
    });
    expect(Object.keys(JSON.parse(json.stdout).data[0]).join(' ')).toBe(
      'bucket_start bucket_end base_model user_id user_name session_id project_id event_info',
    );
    expect(csv.stdout.split('\r\n')).toEqual([
      'bucket_start,bucket_end,base_model,user_id,user_name,session_id,project_id,type,tokens,gigabyte_hours,cached,token_count',
      '2026-07-13T00:00:00Z,2026-07-13T01:00:00Z,meta-llama/Llama-3.2-1B,,,sess-1,,training_tokens,1200,,,',
      '2026-07-13T01:00:00Z,2026-07-13T02:00:00Z,meta-llama/Llama-3.2-1B,,,sess-1,"p, ""quoted""",storage,,0.5,,',
      '2026-07-13T01:00:00Z,2026-07-13T02:00:00Z,meta-llama/Llama-3.2-1B,u-1,Ada,sess-1,,sampling_prefill,,,False,9',
      '',
    ]);
    expect(sessions.stdout).toBe('');
    expect(sessions.stderr).toContain('Wrote 1 row(s) to sessions.csv');
    expect(await readFile(join(work, 'sessions.csv'), 'utf8')).toBe(
      'session_id,user_metadata\r\nsess-1,"{""team"":""a""}"\r\n',
    );
    expect(api.seen).toContain(
      'GET /api/v1/billing/usage/events?starting_on=2026-07-13T00%3A00%3A00Z&ending_before=2026-07-14T00%3A00%3A00Z',
    );
  }, 60_000);

  it('billing usage with no rows: its title alone, no blank line after it (round 36 printed one)', async () => {
    const window = ['billing', 'usage', '2020-01-01', '2020-01-02'];
    const [table, json] = await Promise.all([cli(...window), cli(...window, '-f', 'json')]);
    expect(table).toMatchObject({ code: 0, stdout: 'No billing usage in this window\n' });
    expect(JSON.parse(json.stdout)).toEqual(NO_USAGE);
  }, 60_000);

  it('billing usage takes plain dates as midnight UTC, as a person types them', async () => {
    const before = api.seen.length;
    const result = await cli('billing', 'usage', '2026-07-13', '2026-07-14', '-f', 'json');
    expect(result.code).toBe(0);
    expect(api.seen.slice(before).filter((r) => r.includes('/billing/'))).toEqual([
      'GET /api/v1/billing/usage/events?starting_on=2026-07-13T00%3A00%3A00Z&ending_before=2026-07-14T00%3A00%3A00Z',
    ]);
  }, 60_000);

  it('Ctrl-C while a request hangs exits 130 at once', async () => {
    const connected = new Promise<void>((resolve) => silent.once('connection', () => resolve()));
    const { child, done } = startCli(['run', 'list'], {
      cwd: work,
      env: { TINKER_BASE_URL: silentUrl, TINKER_API_KEY: 'tml-account' },
    });
    await connected;
    child.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('interrupted');
  }, 60_000);
});
