import Table from 'cli-table3';
import { visibleControls } from 'pristine-kernel';

/** `-f/--format`: tables for people (the default, as in `tinker`), JSON for scripts. */
export type OutputFormat = 'table' | 'json';

/** What a command prints: the same data as a JSON document or as a titled table. */
export interface Output {
  json: unknown;
  title?: string;
  columns: string[];
  rows: string[][];
}

/** A JSON document as every command prints it (`tinker`'s too): two-space indent, one trailing newline. */
export const jsonDocument = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/**
 * Render an output in the chosen format. Table cells and titles hold text from the server (names,
 * metadata, model output): control characters in them are shown, not sent to the terminal raw. JSON
 * escapes them itself.
 */
export function render(output: Output, format: OutputFormat, color = false, width?: number): string {
  if (format === 'json') return jsonDocument(output.json);
  const title = output.title ? `${visibleControls(output.title)}\n` : '';
  // No columns (billing usage of an empty window): the title says it all; an empty table is a blank line.
  if (output.columns.length === 0) return title;
  const rows = output.rows.map((row) => row.map(visibleControls));
  const colWidths = width ? fitColumns([output.columns, ...rows], width) : undefined;
  const table = new Table({
    head: output.columns,
    // cli-table3 colours the header red by default; keep colour only for a terminal.
    style: { head: color ? ['cyan'] : [], border: color ? ['grey'] : [], compact: true },
    ...(colWidths ? { colWidths, wordWrap: true, wrapOnWordBoundary: false } : {}),
  });
  for (const row of rows) table.push(row);
  return `${title}${table.toString()}\n`;
}

/** The narrowest a column is made to fit a terminal (its text wraps inside), padding included. */
const MIN_COLUMN = 10;

/**
 * Column widths (padding included) that fit a table into `width` terminal columns, as `tinker`'s rich
 * tables fit the terminal: the widest column gives way first, none below MIN_COLUMN (or its own width).
 * Undefined when the table fits as it is. Widths count code points (wide CJK glyphs are rare in ids).
 */
export function fitColumns(lines: string[][], width: number): number[] | undefined {
  const natural = lines[0].map((_, i) => Math.max(...lines.map((line) => longestLine(line[i] ?? ''))) + 2);
  // One border character before each column and one after the last.
  const room = width - (natural.length + 1);
  const widths = [...natural];
  let total = widths.reduce((sum, w) => sum + w, 0);
  if (total <= room) return undefined;
  while (total > room) {
    const widest = widths.indexOf(Math.max(...widths));
    if (widths[widest] <= Math.min(MIN_COLUMN, natural[widest])) break;
    widths[widest]--;
    total--;
  }
  return widths;
}

const longestLine = (text: string) => Math.max(...text.split('\n').map((line) => [...line].length));

/** A Property/Value table (the shape of every `info` command). */
export function propertyTable(title: string, json: unknown, rows: [string, string][]): Output {
  return { json, title, columns: ['Property', 'Value'], rows };
}

/** Bytes as B/KB/MB/GB (1024-based, one decimal), as both reference CLIs print them. */
export function formatSize(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return 'N/A';
  if (bytes < 1024) return `${Math.trunc(bytes)} B`;
  let size = bytes;
  for (const unit of ['KB', 'MB', 'GB', 'TB', 'PB']) {
    size /= 1024;
    if (size < 1024) return `${size.toFixed(1)} ${unit}`;
  }
  return `${(size / 1024).toFixed(1)} EB`;
}

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/**
 * A time relative to `now` ("3 hours ago", "in 2 days"), or the date after 30 days, as `tinker` prints
 * it. Missing → `N/A`; an unparseable string is shown as it is.
 */
export function formatTimestamp(value: string | null | undefined, now = Date.now()): string {
  if (!value) return 'N/A';
  const at = Date.parse(value);
  if (Number.isNaN(at)) return value;
  const future = at > now;
  const seconds = Math.floor(Math.abs(now - at) / 1000);
  const days = Math.floor(seconds / 86_400);
  const say = (text: string) => (future ? `in ${text}` : `${text} ago`);
  if (days > 30) return new Date(at).toISOString().slice(0, 10);
  if (days > 7) return say(plural(Math.floor(days / 7), 'week'));
  if (days > 0) return say(plural(days, 'day'));
  if (seconds > 3600) return say(plural(Math.floor(seconds / 3600), 'hour'));
  if (seconds > 60) return say(plural(Math.floor(seconds / 60), 'minute'));
  return future ? 'in less than a minute' : 'just now';
}

export const formatBool = (value: boolean | null | undefined) => (value ? 'Yes' : 'No');

/** `tinker`'s LoRA cell: `Rank 8`, `Yes` or `No`. */
export function formatLora(is_lora: boolean, lora_rank?: number | null, long = false): string {
  if (!is_lora) return 'No';
  if (!lora_rank) return 'Yes';
  return long ? `Yes (Rank ${lora_rank})` : `Rank ${lora_rank}`;
}

/** "N things (M more not shown, use --limit to see more)". */
export function countTitle(shown: number, total: number | undefined, noun: string, suffix = ''): string {
  if (shown === 0) return `No ${noun}s found${suffix}`;
  let title = `${plural(shown, noun)}${suffix}`;
  if (total !== undefined && total > shown)
    title += ` (${total - shown} more not shown, use --limit to see more)`;
  return title;
}
