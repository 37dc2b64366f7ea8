import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cliAgainst, type CliAgainstServer } from '../support/cli/run-cli.js';

/**
 * Found by hand (round 34): `checkpoint delete -y` of 8 paths while the server answered 503 printed the
 * result table, then "tinkex: 7 other retries of delete_checkpoint after HTTP 503 since the last such
 * line" under it: the retry log's last count (said when the client closes, after the output) read as
 * if something still went on after the command's answer. The count belongs before the answer.
 */
describe('tinkex: the retry log’s last count comes before the command’s output (spawned CLI)', () => {
  let cli: CliAgainstServer;

  beforeAll(async () => {
    cli = await cliAgainst(
      (req, res) => {
        req.resume();
        const status = req.method === 'DELETE' ? 503 : 404;
        res.writeHead(status, { 'content-type': 'application/json' }).end('{"detail":"down"}');
      },
      { apiKey: 'tml-order', name: 'cli-retry-order' },
    );
  }, 300_000);
  afterAll(() => cli.close());

  it('checkpoint delete of several paths during an outage: the count line, then the table', async () => {
    const paths = ['a', 'b', 'c'].map((name) => `tinker://run-1/weights/${name}`);
    const { code, lines } = await cli.merged(['--max-retries', '1', 'checkpoint', 'delete', '-y', ...paths], {
      TINKER_LOG: undefined,
    });
    expect(code).toBe(1);
    const count = lines.findIndex((l) =>
      /^tinkex: 2 other retries of delete_checkpoint after HTTP 503/.test(l),
    );
    const title = lines.indexOf('Deleted 0 checkpoint(s), failed to delete 3');
    expect(count).toBeGreaterThanOrEqual(0);
    expect(count).toBeLessThan(title);
    expect(lines.at(-1)).toMatch(/^└/); // the table's last line is the last line printed
  }, 60_000);
});
