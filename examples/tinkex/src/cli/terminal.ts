/** Terminal output helpers: progress bars on stderr, colour only for a TTY without NO_COLOR. */
export interface Terminal {
  readonly color: boolean;
  paint(code: number, text: string): string;
  progress(label: string, done: number, total: number, suffix: string): void;
  endProgress(): void;
}

export function terminal(
  stream: NodeJS.WriteStream = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
): Terminal {
  const color = Boolean(stream.isTTY) && env.NO_COLOR === undefined && env.TERM !== 'dumb';
  const interactive = Boolean(stream.isTTY);
  let lastLine = '';
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
      // A pipe gets only the final state of each bar, not a line per update.
      if (interactive) stream.write(`\r\u001b[2K${line}`);
      lastLine = line;
    },
    endProgress() {
      if (lastLine) stream.write(interactive ? '\n' : `${lastLine}\n`);
      lastLine = '';
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
