import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, buildCli } from '../support/cli/run-cli.js';

/**
 * Found by hand (round 34): `checkpoint delete -y` of 8 paths while the server answered 503 printed the
 * result table, then "tinkex: 7 other retries of delete_checkpoint after HTTP 503 since the last such
 * line" under it: the retry log's last count (said when the client closes, after the output) read as
 * if something still went on after the command's answer. The count belongs before the answer.
 */
describe('tinkex: the retry log’s last count comes before the command’s output (spawned CLI)', () => {
  let server: Server;
  let base: string;
  let work: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      const status = req.method === 'DELETE' ? 503 : 404;
      res.writeHead(status, { 'content-type': 'application/json' }).end('{"detail":"down"}');
    });
    await Promise.all([new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)), buildCli()]);
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    work = await mkdtemp(join(tmpdir(), 'tinkex-cli-retry-order-'));
  }, 300_000);
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(work, { recursive: true, force: true });
  });

  /** stdout and stderr into one file, in the order written (as a terminal shows them). */
  async function merged(args: string[]): Promise<{ code: number | null; lines: string[] }> {
    const file = join(work, 'out.txt');
    const fd = openSync(file, 'w');
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: work,
      env: {
        PATH: process.env.PATH ?? '',
        TINKER_TELEMETRY: '0',
        TINKER_BASE_URL: base,
        TINKER_API_KEY: 'tml-order',
      },
      stdio: ['ignore', fd, fd],
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    closeSync(fd);
    return { code, lines: (await readFile(file, 'utf8')).trimEnd().split('\n') };
  }

  it('checkpoint delete of several paths during an outage: the count line, then the table', async () => {
    const paths = ['a', 'b', 'c'].map((name) => `tinker://run-1/weights/${name}`);
    const { code, lines } = await merged(['--max-retries', '1', 'checkpoint', 'delete', '-y', ...paths]);
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
