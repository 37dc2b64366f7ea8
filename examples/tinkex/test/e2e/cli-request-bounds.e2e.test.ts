import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdir } from 'node:fs/promises';
import { APIUserAbortError, ServiceClient } from '../../src/index.js';
import { cliAgainst, type CliAgainstServer } from '../support/cli/run-cli.js';

/**
 * The bounds a user gives the CLI reach every request a command makes: a loopback server that answers
 * the checkpoint archive's URL with 502 and counts the attempts.
 */
describe('tinkex request bounds (spawned CLI)', () => {
  let api: CliAgainstServer;
  let base: string;
  let work: string;
  const seen: string[] = [];

  beforeAll(async () => {
    api = await cliAgainst(
      (req, res) => {
        seen.push(`${req.method} ${req.url ?? ''}`);
        const json = (status: number, body: unknown) =>
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        if (req.url?.includes('/run-503/')) return json(503, { detail: 'being prepared' });
        if (req.url?.endsWith('/archive')) return json(502, { detail: 'bad gateway' });
        if (req.url?.includes('/sess-silent/')) return; // accepted, never answered
        if (req.url?.includes('/sess-pending/')) return json(200, { status: 'pending' });
        json(404, { detail: 'not found' });
      },
      { apiKey: 'tml-bounds', name: 'cli-bounds' },
    );
    ({ base, work } = api);
  }, 300_000);
  afterAll(() => api.close());

  const cli = (...args: string[]) => cliWith({}, ...args);
  const cliWith = (env: Record<string, string>, ...args: string[]) => api.run(args, env);
  const polls = (session: string) => seen.filter((r) => r.includes(`/${session}/trace_export`)).length;

  it('checkpoint download --max-retries 0 asks for the archive URL once, not 3 times', async () => {
    const path = 'tinker://run-502/weights/step-1';
    const result = await cli('--max-retries', '0', 'checkpoint', 'download', path);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/502/);
    const archive = seen.filter(
      (r) => r === 'GET /api/v1/training_runs/run-502/checkpoints/weights/step-1/archive',
    );
    expect(archive).toHaveLength(1);
    expect(await readdir(work)).toEqual([]); // nothing left behind
  }, 60_000);

  it('checkpoint download --max-retries 0 of an archive being prepared (503) fails at once', async () => {
    // Before (round 35 review): it waited 5 × 30 s, though the flag's help says "0 fails at once".
    const result = await cli(
      '--max-retries',
      '0',
      'checkpoint',
      'download',
      'tinker://run-503/weights/step-1',
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/archive of run-503\/weights\/step-1 is being prepared/);
    expect(result.stderr).toMatch(/Try again later, or run without --max-retries 0 to wait for it/);
    expect(seen.filter((r) => r.includes('/run-503/'))).toHaveLength(1);
    expect(await readdir(work)).toEqual([]);
  }, 60_000);

  it('checkpoint download without --max-retries keeps the archive URL its own 2 retries', async () => {
    const result = await cli('checkpoint', 'download', 'tinker://run-default/weights/step-1');
    expect(result.code).toBe(1);
    const archive = seen.filter((r) => r.startsWith('GET /api/v1/training_runs/run-default/'));
    expect(archive).toHaveLength(3);
  }, 60_000);

  // The whole wait's bound (10 minutes) is the export's, not one request's: each poll has the client's
  // own timeout and retries, so a hung request fails as the connection's, and is never "not ready".
  it('exportSessionTrace gives each poll the client timeout, not the whole wait as its deadline', async () => {
    const service = new ServiceClient({
      base_url: base,
      api_key: 'tml-bounds',
      timeout_ms: 200,
      max_retries: 1,
    });
    try {
      const before = polls('sess-silent');
      const failed = await service
        .createRestClient()
        .exportSessionTrace('sess-silent', {}, { timeoutMs: 20_000 })
        .catch((error: unknown) => error as Error);
      expect(failed).toBeInstanceOf(Error);
      expect(failed).not.toBeInstanceOf(APIUserAbortError);
      expect(String(failed)).not.toMatch(/did not finish within timeoutMs/);
      expect(polls('sess-silent') - before).toBe(2); // one try and one retry, each timed out
    } finally {
      await service.close();
    }
  }, 60_000);

  it('session export-trace says the server never answered, not that the export is not ready', async () => {
    const wait = { TINKEX_TRACE_EXPORT_WAIT_MS: '500' };
    const [silent, pending] = await Promise.all([
      cliWith(wait, 'session', 'export-trace', 'sess-silent'),
      cliWith(wait, 'session', 'export-trace', 'sess-pending'),
    ]);
    expect(silent.code).toBe(1);
    expect(silent.stderr).not.toMatch(/not ready/);
    expect(silent.stderr).toMatch(
      /Error: No answer from the Tinker API within 0\.5 s while waiting for the trace export/,
    );
    const refused = await cliWith(
      { TINKEX_TRACE_EXPORT_WAIT_MS: '1e9' },
      'session',
      'export-trace',
      'sess-x',
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Error: TINKEX_TRACE_EXPORT_WAIT_MS is not a wait\n.*from 1 to 600000/);
    expect(polls('sess-x')).toBe(0); // refused before anything was sent
    expect(pending.code).toBe(1);
    expect(pending.stderr).toMatch(/Error: Trace export not ready after 0\.5 s\nTry again later\./);
  }, 60_000);
});
