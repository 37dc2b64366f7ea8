import { describe, expect, it } from '@jest/globals';
import { countTitle, fitColumns, formatSize, formatTimestamp, render } from '../../src/cli/output.js';
import { isoDate, tinkerPath } from '../../src/cli/options.js';
import { parseTinkerPath } from '../../src/types/tinker-path.js';

const NOW = Date.parse('2026-07-13T12:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('CLI output formatting (as the tinker CLI prints it)', () => {
  it('relative times: just now, minutes, hours, days, weeks, then the date; the future with "in"', () => {
    expect(formatTimestamp(ago(30_000), NOW)).toBe('just now');
    expect(formatTimestamp(ago(2 * MIN + 5_000), NOW)).toBe('2 minutes ago');
    expect(formatTimestamp(ago(HOUR + MIN), NOW)).toBe('1 hour ago');
    expect(formatTimestamp(ago(3 * DAY), NOW)).toBe('3 days ago');
    expect(formatTimestamp(ago(15 * DAY), NOW)).toBe('2 weeks ago');
    expect(formatTimestamp(ago(31 * DAY), NOW)).toBe('2026-06-12');
    expect(formatTimestamp(ago(-2 * DAY - MIN), NOW)).toBe('in 2 days');
    expect(formatTimestamp(ago(-30_000), NOW)).toBe('in less than a minute');
    expect(formatTimestamp(null, NOW)).toBe('N/A');
    expect(formatTimestamp('not a date', NOW)).toBe('not a date');
  });

  it('sizes are 1024-based with one decimal; missing or negative is N/A', () => {
    expect(formatSize(0)).toBe('0 B');
    expect(formatSize(1023)).toBe('1023 B');
    expect(formatSize(1024)).toBe('1.0 KB');
    expect(formatSize(278_528)).toBe('272.0 KB');
    expect(formatSize(5 * 1024 ** 3)).toBe('5.0 GB');
    expect(formatSize(null)).toBe('N/A');
    expect(formatSize(-1)).toBe('N/A');
  });

  it('titles say how many more were not shown', () => {
    expect(countTitle(0, 0, 'training run')).toBe('No training runs found');
    expect(countTitle(1, 1, 'checkpoint', ' for run r')).toBe('1 checkpoint for run r');
    expect(countTitle(20, 21, 'training run')).toBe(
      '20 training runs (1 more not shown, use --limit to see more)',
    );
  });

  it('JSON output is the data itself; a table has its title and no colour codes off a terminal', () => {
    const output = { json: { runs: [{ id: 'a' }] }, title: '1 run', columns: ['Run ID'], rows: [['a']] };
    expect(JSON.parse(render(output, 'json'))).toEqual({ runs: [{ id: 'a' }] });
    const table = render(output, 'table');
    expect(table.split('\n')[0]).toBe('1 run');
    expect(table).toMatch(/│ Run ID │\n[\s\S]*│ a +│/);
    expect(table).not.toContain('\u001b[');
  });

  it('the CLI path check (which loads no SDK) agrees with parseTinkerPath', () => {
    const cases = [
      'tinker://run-1/weights/a',
      'tinker://run:1/sampler_weights/final',
      'tinker://run-1/weights/a/b',
      'tinker://run-1/adapters/a',
      'tinker:///weights/a',
      'tinker://run-1/weights/',
      'run-1/weights/a',
    ];
    for (const path of cases) {
      const sdk = (() => {
        try {
          parseTinkerPath(path);
          return true;
        } catch {
          return false;
        }
      })();
      const cli = (() => {
        try {
          return tinkerPath(path) === path;
        } catch {
          return false;
        }
      })();
      expect({ path, cli }).toEqual({ path, cli: sdk });
    }
  });

  it('dates: a bare date is midnight UTC, a time without a zone is UTC', () => {
    expect(isoDate('2024-06-01').toISOString()).toBe('2024-06-01T00:00:00.000Z');
    expect(isoDate('2024-06-01T08:00:00').toISOString()).toBe('2024-06-01T08:00:00.000Z');
    expect(isoDate('2024-06-01T08:00:00+02:00').toISOString()).toBe('2024-06-01T06:00:00.000Z');
    expect(() => isoDate('June 1')).toThrow(/ISO 8601/);
  });
});

describe('render: server text in a table is shown, not obeyed', () => {
  it('control characters in cells and the title become visible; JSON escapes them itself', () => {
    const output = {
      json: { name: 'a\u001b[2Jb' },
      title: 'Run \u001b]0;pwned\u0007',
      columns: ['Name'],
      rows: [['ok\rspoof\u001b[31m\nsecond line']],
    };
    const table = render(output, 'table');
    expect(table).toContain('Run ␛]0;pwned␇');
    expect(table).toContain('ok␍spoof␛[31m');
    expect(table).toContain('second line'); // a newline still makes a two-line cell
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    expect(table).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(render(output, 'json')).toBe('{\n  "name": "a\\u001b[2Jb"\n}\n');
  });

  it('fits a table to a width: small columns keep theirs, the wide ones wrap; a table that fits is left alone', () => {
    const output = {
      json: null,
      columns: ['ID', 'Path'],
      rows: [['a', `tinker://${'r'.repeat(60)}/weights/x`]],
    };
    expect(fitColumns([output.columns, ...output.rows], 200)).toBeUndefined();
    expect(fitColumns([output.columns, ...output.rows], 40)).toEqual([4, 33]);
    const lines = render(output, 'table', false, 40).trimEnd().split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBe(40);
    expect(lines.join('').replace(/[│\s]/g, '')).toContain('tinker://');
    // Nothing narrower than ten columns (or a column's own width): a tiny terminal gets a wider table.
    expect(
      fitColumns(
        [
          ['Checkpoint ID', 'Path'],
          ['weights/001', 'tinker://x/weights/001'],
        ],
        12,
      ),
    ).toEqual([10, 10]);
  });
});
