import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import { PassThrough, Writable } from 'node:stream';
import { CliContext } from '../../src/cli/context.js';

/**
 * Round 35: the CLI said the retry log's pending counts by hand before `print`, `say` and its error, so a
 * path without the call printed the last count after its output. `note()` (and a command's own write to
 * stdout, as `session export-trace --url-only` and `billing --csv -` do) had none: after retries of
 * concurrent calls, the count came after the note, when the client closed. Now every write through the
 * context's streams says the counts first.
 */
describe('tinkex CLI: the retry log’s pending count comes before any output', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      const status = req.method === 'DELETE' ? 503 : 404;
      res.writeHead(status, { 'content-type': 'application/json' }).end('{"detail":"down"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** A context whose stdout and stderr land in one list of lines, in the order written. */
  function context(): { ctx: CliContext; lines: string[] } {
    const lines: string[] = [];
    const sink = () =>
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(...chunk.toString().trimEnd().split('\n'));
          done();
        },
      }) as unknown as NodeJS.WriteStream;
    const io = {
      stdin: new PassThrough() as unknown as NodeJS.ReadStream,
      stdout: sink(),
      stderr: sink(),
      env: { TINKER_BASE_URL: base, TINKER_API_KEY: 'tml-first', TINKER_TELEMETRY: '0' },
    };
    const ctx = new CliContext(io, { format: 'table', maxRetries: 1 }, new AbortController().signal);
    return { ctx, lines };
  }

  /** Three deletes retried once each, at once: one info line, and "2 other retries" pending. */
  async function outage(ctx: CliContext): Promise<void> {
    const rest = await ctx.rest();
    const paths = ['a', 'b', 'c'].map((name) => `tinker://run-1/weights/${name}`);
    await Promise.all(paths.map((path) => rest.deleteCheckpointFromTinkerPath(path).catch(() => {})));
  }

  const countLine = /^tinkex: 2 other retries of delete_checkpoint after HTTP 503/;

  it.each([
    ['a note on stderr', (ctx: CliContext) => ctx.note('the note')],
    ['a command’s own write to stdout', (ctx: CliContext) => ctx.io.stdout.write('the note\n')],
  ])(
    '%s comes after the count',
    async (_, write) => {
      const { ctx, lines } = context();
      try {
        await outage(ctx);
        write(ctx);
      } finally {
        await ctx.close();
      }
      const count = lines.findIndex((l) => countLine.test(l));
      expect(count).toBeGreaterThanOrEqual(0);
      expect(count).toBeLessThan(lines.indexOf('the note'));
      expect(lines.filter((l) => countLine.test(l))).toHaveLength(1);
    },
    30_000,
  );
});
