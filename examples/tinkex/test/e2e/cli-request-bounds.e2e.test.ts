import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCli, runCli } from '../support/cli/run-cli.js';

/**
 * The bounds a user gives the CLI reach every request a command makes: a loopback server that answers
 * the checkpoint archive's URL with 502 and counts the attempts.
 */
describe('tinkex request bounds (spawned CLI)', () => {
  let server: Server;
  let base: string;
  let work: string;
  const seen: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url ?? ''}`);
      const json = (status: number, body: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.url?.endsWith('/archive')) return json(502, { detail: 'bad gateway' });
      json(404, { detail: 'not found' });
    });
    await Promise.all([new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)), buildCli()]);
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    work = await mkdtemp(join(tmpdir(), 'tinkex-cli-bounds-'));
  }, 300_000);
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(work, { recursive: true, force: true });
  });

  const cli = (...args: string[]) =>
    runCli(args, { cwd: work, env: { TINKER_BASE_URL: base, TINKER_API_KEY: 'tml-bounds' } });

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

  it('checkpoint download without --max-retries keeps the archive URL its own 2 retries', async () => {
    const result = await cli('checkpoint', 'download', 'tinker://run-default/weights/step-1');
    expect(result.code).toBe(1);
    const archive = seen.filter((r) => r.startsWith('GET /api/v1/training_runs/run-default/'));
    expect(archive).toHaveLength(3);
  }, 60_000);
});
