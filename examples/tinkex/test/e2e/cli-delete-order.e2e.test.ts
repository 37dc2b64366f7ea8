import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type ServerResponse, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCli, runCli } from '../support/cli/run-cli.js';

/**
 * Found by hand (round 34): `checkpoint delete -f json` listed `failed` in the order the deletes failed
 * (concurrent, so any order: q2 before q1), and the table its failed rows so, while
 * `earlier_attempt_applied` and the deleted rows follow the order the paths were given. A script
 * comparing runs, or a person finding a path in the table, met a different order each time.
 */
describe('tinkex checkpoint delete: failures in the order the paths were given (spawned CLI)', () => {
  let server: Server;
  let base: string;
  let work: string;

  beforeAll(async () => {
    // The first path's 404 waits until the second's was sent: its failure comes second, every time.
    let heldFirst: ServerResponse | undefined;
    let secondAnswered = false;
    const notFound = (res: ServerResponse) =>
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"not found"}');
    server = createServer((req, res) => {
      req.resume();
      // Each run pairs them anew (the state is reset once the first is answered).
      if (req.method === 'DELETE' && req.url?.endsWith('/weights/first')) {
        if (!secondAnswered) return void (heldFirst = res);
        secondAnswered = false;
        return notFound(res);
      }
      if (req.method === 'DELETE' && req.url?.endsWith('/weights/second')) {
        res.on('finish', () => {
          if (!heldFirst) return void (secondAnswered = true);
          notFound(heldFirst);
          heldFirst = undefined;
        });
      }
      notFound(res);
    });
    await Promise.all([new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)), buildCli()]);
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    work = await mkdtemp(join(tmpdir(), 'tinkex-cli-delete-order-'));
  }, 300_000);
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(work, { recursive: true, force: true });
  });

  const paths = ['tinker://run-1/weights/first', 'tinker://run-1/weights/second'];
  const cli = (...args: string[]) =>
    runCli(args, { cwd: work, env: { TINKER_BASE_URL: base, TINKER_API_KEY: 'tml-order' } });

  it('-f json: failed[] in the given order, though the first failed last', async () => {
    const result = await cli('-f', 'json', 'checkpoint', 'delete', '-y', ...paths);
    expect(result.code).toBe(1);
    const { failed } = JSON.parse(result.stdout) as { failed: { tinker_path: string }[] };
    expect(failed.map((f) => f.tinker_path)).toEqual(paths);
  }, 60_000);

  it('the table: its failed rows in the given order', async () => {
    const result = await cli('checkpoint', 'delete', '-y', ...paths);
    expect(result.code).toBe(1);
    const rows = result.stdout.split('\n').filter((line) => line.includes('tinker://'));
    expect(rows.map((row) => /tinker:\/\/\S+/.exec(row)![0])).toEqual(paths);
  }, 60_000);
});
