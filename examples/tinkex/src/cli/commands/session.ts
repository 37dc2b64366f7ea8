import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { PristineError, visibleControls } from 'pristine-kernel';
import type { CliContext } from '../context.js';
import type { RestClient } from '../../client/rest-client.js';
import { CliError, InterruptedError, UsageError } from '../errors.js';
import { sessionId } from '../options.js';
import { formatSize, propertyTable } from '../output.js';
import type { Action } from '../action.js';
import { makeDirs } from '../../fs/make-dirs.js';
import { writeAtomically } from '../../fs/write-atomically.js';

/** Polling cadence and bound while the server builds the trace (it can take minutes for long sessions). */
const POLL_MS = 2_000;
const MAX_WAIT_MS = 10 * 60_000;
/** Shortens the whole wait (milliseconds, at most 10 minutes): for tests and scripts that cannot wait long. */
const WAIT_VAR = 'TINKEX_TRACE_EXPORT_WAIT_MS';

/** The whole wait's bound: MAX_WAIT_MS, or the shorter one TINKEX_TRACE_EXPORT_WAIT_MS names. */
function waitBound(env: NodeJS.ProcessEnv): number {
  const value = env[WAIT_VAR];
  if (value === undefined || value === '') return MAX_WAIT_MS;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 1 || ms > MAX_WAIT_MS)
    throw new CliError(`${WAIT_VAR} is not a wait`, `Set it to whole milliseconds from 1 to ${MAX_WAIT_MS}.`);
  return ms;
}

/** A wait as a person reads it: `10 minutes`, `0.5 s`. */
const spoken = (ms: number) => (ms % 60_000 === 0 ? `${ms / 60_000} minutes` : `${ms / 1000} s`);

/**
 * Ask for the export until it is ready; the answer is a signed URL valid for about an hour. The wait's
 * bound is the whole polling's, never one request's: each poll has the client's own timeout and retries
 * (so a server that stops answering fails as that, through describeError), and when the wait runs out
 * the message says which it was: no answer at all, or an export the server still called pending.
 */
async function exportUrl(
  ctx: CliContext,
  rest: RestClient,
  session_id: string,
  wait: number,
): Promise<string> {
  const waited = new AbortController();
  // The client's clock (the kernel's Clock port), as every other bound of the SDK.
  const { clock } = (await ctx.client()).kernel.getServices();
  const stopTimer = clock.after(wait, () => waited.abort());
  let answered = false;
  try {
    const { url } = await rest.exportSessionTrace(
      session_id,
      { pollIntervalMs: POLL_MS, signal: waited.signal, onProgress: () => (answered = true) },
      // The client's own bound, a backstop just past the wait above, which decides the message.
      { timeoutMs: wait + POLL_MS },
    );
    return url;
  } catch (error) {
    if (waited.signal.aborted && !ctx.signal.aborted) {
      if (answered) throw new CliError(`Trace export not ready after ${spoken(wait)}`, 'Try again later.');
      throw new CliError(
        `No answer from the Tinker API within ${spoken(wait)} while waiting for the trace export`,
        'The server accepted the request but never answered it: check that it is up, then try again.',
      );
    }
    const answer =
      error instanceof PristineError ? (error.body as { status?: string; error?: string }) : undefined;
    if (answer?.status === 'failed')
      throw new CliError(
        `Trace export failed for session ${session_id}`,
        answer.error ? `Details: ${answer.error}` : undefined,
      );
    throw error;
  } finally {
    stopTimer();
  }
}

async function exportTrace(
  ctx: CliContext,
  session_id: string,
  opts: { output?: string; urlOnly?: boolean },
) {
  const wait = waitBound(ctx.io.env); // a bad setting stops the command before anything is sent
  const destination = resolve(opts.output ?? join(process.cwd(), `${session_id}.pftrace`));
  // Checked before the export is asked for: it can take minutes, and rename() onto a folder fails.
  if (!opts.urlOnly && (await stat(destination).catch(() => undefined))?.isDirectory())
    throw new UsageError(
      `--output ${destination} is a folder; name a file (e.g. ${join(destination, `${session_id}.pftrace`)})`,
    );
  // The client first: without a key there is no export to announce.
  const rest = await ctx.rest();
  if (ctx.format !== 'json') ctx.note(`Exporting trace for session ${session_id} (this may take a while)...`);
  const url = await exportUrl(ctx, rest, session_id, wait);
  if (opts.urlOnly) {
    // A bare URL in table mode, for `curl -o t.pftrace "$(tinkex session export-trace <id> --url-only)"`;
    // it is server text, so control characters are shown like everywhere else (a real signed URL has none).
    if (ctx.format === 'json') ctx.print({ json: { session_id, url }, columns: [], rows: [] });
    else ctx.io.stdout.write(`${visibleControls(url)}\n`);
    return;
  }
  await makeDirs(dirname(destination));
  // A staging name of its own: a file of the user's called `<output>.partial` is neither overwritten nor
  // deleted, and two exports to one file do not share a staging file.
  const partial = join(
    dirname(destination),
    `.${basename(destination)}.tinkex-${randomBytes(6).toString('hex')}.partial`,
  );
  let bytes = 0;
  try {
    const download = await rest.openDownload(url);
    const body = Readable.from(download.body);
    body.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      ctx.term.progress('Downloading trace', bytes, download.size, formatSize(bytes));
    });
    await writeAtomically(destination, partial, body, ctx.signal);
  } catch (error) {
    if (ctx.signal.aborted) throw new InterruptedError('trace download interrupted; nothing was left behind');
    throw error;
  } finally {
    ctx.term.endProgress();
  }
  ctx.print(
    propertyTable(`Trace Export: ${session_id}`, { session_id, destination, file_size_bytes: bytes }, [
      ['Session ID', session_id],
      ['Saved to', destination],
      ['Size', formatSize(bytes)],
    ]),
  );
}

/** `tinkex session export-trace <session_id> [-o FILE] [--url-only]`. */
export function registerSession(program: Command, action: Action): void {
  const session = program.command('session').description('Manage sessions');
  session
    .command('export-trace')
    .description("Export a session's timeline as a Perfetto trace (.pftrace; open it in ui.perfetto.dev)")
    .argument('<session_id>', 'session id', sessionId)
    .option('-o, --output <file>', 'output file (default: ./<session_id>.pftrace)')
    .option('--url-only', 'print the signed download URL instead of downloading')
    .addHelpText(
      'after',
      `\nThe whole wait is bounded by ${MAX_WAIT_MS / 60_000} minutes (${WAIT_VAR}=<ms> shortens it, for tests and\n` +
        'scripts); each request has the usual timeout and retries.',
    )
    .action(action((ctx, opts, id: string) => exportTrace(ctx, id, opts), { cleansUp: true }));
}
