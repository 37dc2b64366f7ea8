import { expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A markdown file of the repository (`docs/tinkex.md`), as text. */
export function docText(path: string): string {
  return readFileSync(fileURLToPath(new URL(`../../../../${path}`, import.meta.url)), 'utf8');
}

/** The rows of the first markdown table after `heading` in `doc`: first cell → the other cells. */
export function markdownTable(doc: string, heading: string): Map<string, string[]> {
  const start = doc.indexOf(heading);
  expect(start).toBeGreaterThan(-1);
  const lines = doc.slice(start).split('\n');
  const first = lines.findIndex((line) => line.startsWith('| '));
  const end = lines.findIndex((line, k) => k > first && !line.startsWith('|'));
  const cells = (row: string) =>
    row
      .slice(2, -2)
      .split(' | ')
      .map((cell) => cell.trim());
  return new Map(
    lines
      .slice(first + 2, end)
      .map(cells)
      .map(([name, ...rest]) => [name, rest]),
  );
}

/** A default cell as a value: `60,000` → 60000, `` `{ a: 1 }` `` → { a: 1 }, `unlimited` → Infinity. */
export function cellValue(cell: string): unknown {
  if (/^[\d,.]+$/.test(cell)) return Number(cell.replaceAll(',', ''));
  if (cell === 'unlimited') return Number.POSITIVE_INFINITY;
  const code = /^`(.*)`$/.exec(cell)?.[1];
  expect(code).toBeDefined();
  // A JavaScript literal written in the doc (numbers with `_`, unquoted keys, quoted strings).
  return new Function(`return (${code});`)() as unknown;
}
