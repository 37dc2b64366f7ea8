import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { writeFile } from 'node:fs/promises';
import { billingBound, spanProblem } from '../../client/billing-window.js';
import type { BillingUsageResponse } from '../../types/account.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import type { Action } from '../action.js';

/**
 * RFC 3339 with a zone, on a UTC hour boundary, or a plain date (its midnight UTC): the library's rule
 * (`billingBound`), as a usage error here.
 */
function hourTimestamp(value: string): string {
  const bound = billingBound(value);
  if (!bound.ok) throw new InvalidArgumentError(bound.message);
  return bound.timestamp;
}

type Row = Record<string, unknown>;

/**
 * The envelope of the 0.25 SDK's `BillingUsageEvent`, in its field order. `tinker` prints the rows through
 * that model, so a field the server leaves out is still a column, a CSV field and a JSON key (null).
 */
const ENVELOPE = [
  'bucket_start',
  'bucket_end',
  'base_model',
  'user_id',
  'user_name',
  'session_id',
  'project_id',
];
const EMPTY_ENVELOPE: Row = Object.fromEntries(ENVELOPE.map((key) => [key, null]));

/** Each row with every envelope field, in the model's order, before the fields only this server sends. */
const withEnvelope = (data: BillingUsageResponse['data']): Row[] =>
  data.map((row) => ({ ...EMPTY_ENVELOPE, ...row }));

/** Each event's `event_info` payload flattened into its row, for table and CSV (JSON keeps it nested). */
function flatten(data: Row[]): Row[] {
  return data.map(({ event_info, ...envelope }) => ({ ...envelope, ...(event_info as Row) }));
}

/** The first row's key order, plus keys only later rows carry. */
function columnsOf(rows: Row[]): string[] {
  const columns: string[] = [];
  for (const row of rows) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  return columns;
}

// A boolean as `tinker` writes it (Python's `str`), so a CSV reads the same from either CLI.
const cell = (value: unknown) =>
  value === null || value === undefined
    ? ''
    : typeof value === 'boolean'
      ? value
        ? 'True'
        : 'False'
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);

function csv(rows: Row[]): string {
  const columns = columnsOf(rows);
  const quote = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);
  return [columns, ...rows.map((row) => columns.map((c) => cell(row[c])))]
    .map((line) => line.map(quote).join(','))
    .join('\r\n')
    .concat('\r\n');
}

async function writeCsv(ctx: CliContext, rows: Row[], path: string) {
  if (path === '-') ctx.io.stdout.write(csv(rows));
  else {
    await writeFile(path, csv(rows));
    ctx.note(`Wrote ${rows.length} row(s) to ${path}`);
  }
}

async function usage(
  ctx: CliContext,
  starting_on: string,
  ending_before: string,
  opts: { csv?: string; sessionsCsv?: string },
) {
  // The library's rule (`getBillingUsage` checks it too), as a usage error in the CLI's names.
  const span = spanProblem(Date.parse(starting_on), Date.parse(ending_before));
  if (span) throw new UsageError(`ENDING_BEFORE ${span.message}`);
  const rest = await ctx.rest();
  const response = await rest.getBillingUsage(starting_on, ending_before);
  const sessions = response.sessions ?? {};
  if (opts.sessionsCsv !== undefined)
    await writeCsv(
      ctx,
      Object.entries(sessions).map(([session_id, s]) => ({
        session_id,
        user_metadata: s.user_metadata == null ? null : JSON.stringify(s.user_metadata),
      })),
      opts.sessionsCsv,
    );
  const data = withEnvelope(response.data);
  const rows = flatten(data);
  if (opts.csv !== undefined) await writeCsv(ctx, rows, opts.csv);
  if (opts.csv !== undefined || opts.sessionsCsv !== undefined) return;
  const columns = columnsOf(rows);
  ctx.print({
    json: { data, sessions },
    title: rows.length === 0 ? 'No billing usage in this window' : `${rows.length} hourly usage row(s)`,
    columns,
    rows: rows.map((row) => columns.map((c) => cell(row[c]))),
  });
}

/** `tinkex billing usage STARTING_ON ENDING_BEFORE [--csv PATH|-] [--sessions-csv PATH|-]`. */
export function registerBilling(program: Command, action: Action): void {
  const billing = program.command('billing').description('View billing usage');
  billing
    .command('usage')
    .description('Hourly billing usage of your organization (a window of at most 14 days)')
    .argument(
      '<starting_on>',
      'RFC 3339, on a UTC hour (e.g. 2026-07-13T00:00:00Z), or a date (its midnight UTC)',
      hourTimestamp,
    )
    .argument('<ending_before>', 'the same, at most 14 days later', hourTimestamp)
    .option('--csv <path>', "write the usage rows as CSV to PATH instead ('-' = stdout)")
    .option('--sessions-csv <path>', "also write session_id,user_metadata as CSV to PATH ('-' = stdout)")
    .action(action((ctx, opts, start: string, end: string) => usage(ctx, start, end, opts)));
}
