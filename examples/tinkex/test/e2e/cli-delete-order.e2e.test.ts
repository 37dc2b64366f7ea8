import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ServerResponse } from 'node:http';
import { cliAgainst, type CliAgainstServer } from '../support/cli/run-cli.js';

/**
 * Found by hand (round 34): `checkpoint delete -f json` listed `failed` in the order the deletes failed
 * (concurrent, so any order: q2 before q1), and the table its failed rows so, while
 * `earlier_attempt_applied` and the deleted rows follow the order the paths were given. A script
 * comparing runs, or a person finding a path in the table, met a different order each time.
 */
describe('tinkex checkpoint delete: failures in the order the paths were given (spawned CLI)', () => {
  let api: CliAgainstServer;

  beforeAll(async () => {
    // The first path's 404 waits until the second's was sent: its failure comes second, every time.
    let heldFirst: ServerResponse | undefined;
    let secondAnswered = false;
    const notFound = (res: ServerResponse) =>
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"not found"}');
    api = await cliAgainst(
      (req, res) => {
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
      },
      { apiKey: 'tml-order', name: 'cli-delete-order' },
    );
  }, 300_000);
  afterAll(() => api.close());

  const paths = ['tinker://run-1/weights/first', 'tinker://run-1/weights/second'];
  const cli = (...args: string[]) => api.run(args);

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
