/** Terminal output helpers: progress bars on stderr, colour only for a TTY without NO_COLOR. */
export interface Terminal {
  readonly color: boolean;
  paint(code: number, text: string): string;
  progress(label: string, done: number, total: number, suffix: string): void;
  endProgress(): void;
  /** A whole line (a log line) that must not land on a bar's line: on a terminal it goes above the bar. */
  line(text: string): void;
}

/**
 * How often a pipe (a CI log, `| tee`) gets a line of a bar still moving: long work shows it is alive,
 * short work stays one line.
 */
export const PIPED_PROGRESS_INTERVAL_MS = 10_000;

export function terminal(
  stream: NodeJS.WriteStream = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
  /** Monotonic milliseconds: the piped progress interval is a duration. */
  now: () => number = () => performance.now(),
): Terminal {
  const color = Boolean(stream.isTTY) && env.NO_COLOR === undefined && env.TERM !== 'dumb';
  const interactive = Boolean(stream.isTTY);
  let lastLine = '';
  let written = '';
  let lastWrite: number | undefined;
  return {
    color,
    paint: (code, text) => (color ? `\u001b[${code}m${text}\u001b[0m` : text),
    progress(label, done, total, suffix) {
      const width = 24;
      // Total unknown (a download without Content-Length): no bar, which would stay empty to the end.
      const known = total > 0 && Number.isFinite(total);
      const filled = known ? Math.round(Math.min(1, done / total) * width) : 0;
      const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
      const line = known
        ? `${label} ${color ? `\u001b[36m${bar}\u001b[0m` : bar} ${suffix}`
        : `${label} ${suffix}`;
      lastLine = line;
      if (interactive) return void stream.write(`\r\u001b[2K${line}`);
      // A pipe gets the final state of each bar, and a line every interval while it moves, not a
      // line per update.
      const at = now();
      lastWrite ??= at;
      if (at - lastWrite < PIPED_PROGRESS_INTERVAL_MS) return;
      stream.write(`${line}\n`);
      written = line;
      lastWrite = at;
    },
    line(text) {
      // The bar's line is cleared, the text takes it, and the bar is drawn again on the next line.
      if (interactive && lastLine) stream.write(`\r\u001b[2K${text}\n${lastLine}`);
      else stream.write(`${text}\n`);
    },
    endProgress() {
      if (lastLine) {
        if (interactive) stream.write('\n');
        else if (lastLine !== written) stream.write(`${lastLine}\n`);
      }
      lastLine = written = '';
      lastWrite = undefined;
    },
  };
}

/** A small line chart of a series, `height` rows tall. */
export function lineChart(values: readonly number[], height = 8, width = 60): string {
  if (values.length === 0) return '';
  const series =
    values.length > width
      ? Array.from({ length: width }, (_, i) => values[Math.floor((i * values.length) / width)])
      : [...values];
  const max = Math.max(...series);
  const min = Math.min(...series);
  const span = max - min || 1;
  const rows: string[] = [];
  for (let r = height - 1; r >= 0; r--) {
    const level = min + (span * r) / (height - 1);
    const label = level.toFixed(3).padStart(8);
    const cells = series
      .map((v) => (Math.round(((v - min) / span) * (height - 1)) === r ? '●' : ' '))
      .join('');
    rows.push(`${label} ┤${cells}`);
  }
  rows.push(`${' '.repeat(9)}└${'─'.repeat(series.length)}`);
  return rows.join('\n');
}
