import { describe, expect, it } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { terminal } from '../../src/cli/terminal.js';

/** A stderr stand-in: what was written, and whether it claims to be a terminal. */
function sink(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY }) as unknown as NodeJS.WriteStream;
  let text = '';
  (stream as unknown as PassThrough).on('data', (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

describe('progress on stderr', () => {
  it('piped: one line per bar, in its final state', () => {
    const out = sink(false);
    const term = terminal(out.stream, {});
    term.progress('Downloading archive', 5, 10, '5 B');
    term.progress('Downloading archive', 10, 10, '10 B');
    term.endProgress();
    expect(out.text()).toBe(`Downloading archive ${'█'.repeat(24)} 10 B\n`);
  });

  it('piped, a bar still moving after 10 s gets a line every 10 s, and the final state once', () => {
    const out = sink(false);
    let clock = 1_000_000;
    const term = terminal(out.stream, {}, () => clock);
    const step = (done: number, at: number) => {
      clock = 1_000_000 + at;
      term.progress('training', done, 100, `step ${done}/100`);
    };
    step(1, 0);
    step(30, 9_999);
    expect(out.text()).toBe(''); // short work stays one line
    step(40, 10_000);
    step(50, 15_000);
    step(70, 20_500);
    step(100, 21_000);
    term.endProgress();
    const lines = out.text().trimEnd().split('\n');
    expect(lines.map((l) => l.replace(/.* (step \d+)/, '$1'))).toEqual([
      'step 40/100',
      'step 70/100',
      'step 100/100',
    ]);
    // A bar whose last update was just written is not repeated; the next bar starts its own interval.
    step(1, 40_000);
    step(2, 50_000);
    term.endProgress();
    expect(out.text().trimEnd().split('\n').slice(3)).toEqual([`training ${'░'.repeat(24)} step 2/100`]);
  });

  it('piped, total unknown (no Content-Length): the size alone, not a bar that never fills', () => {
    const out = sink(false);
    const term = terminal(out.stream, {});
    term.progress('Downloading archive', 512, Infinity, '512 B');
    term.progress('Downloading archive', 73_216, Infinity, '71.5 KB');
    term.endProgress();
    expect(out.text()).toBe('Downloading archive 71.5 KB\n');
  });

  it('on a terminal: each update redraws the line, the end moves to the next', () => {
    const out = sink(true);
    const term = terminal(out.stream, { NO_COLOR: '1' });
    term.progress('Downloading archive', 1, 4, '1 B');
    term.progress('Downloading archive', 1024, NaN, '1.0 KB');
    term.endProgress();
    expect(out.text()).toBe(
      `\r\u001b[2KDownloading archive ${'█'.repeat(6)}${'░'.repeat(18)} 1 B` +
        '\r\u001b[2KDownloading archive 1.0 KB\n',
    );
  });

  it('on a terminal, a log line during a bar goes above it and the bar is drawn again below', () => {
    // Found by hand: "tinkex: retrying optim_step …" was written onto the bar's line ("… steps/stinkex: …").
    const out = sink(true);
    const term = terminal(out.stream, { NO_COLOR: '1' });
    const bar = `training ${'█'.repeat(12)}${'░'.repeat(12)} step 5/10`;
    term.progress('training', 5, 10, 'step 5/10');
    term.line('tinkex: retrying optim_step in 0.4 s after HTTP 503 (retry 1 of 10)');
    term.endProgress();
    expect(out.text()).toBe(
      `\r\u001b[2K${bar}` +
        '\r\u001b[2Ktinkex: retrying optim_step in 0.4 s after HTTP 503 (retry 1 of 10)\n' +
        `${bar}\n`,
    );
  });

  it('a log line with no bar on screen, or piped, is just that line', () => {
    for (const isTTY of [true, false]) {
      const out = sink(isTTY);
      const term = terminal(out.stream, { NO_COLOR: '1' });
      term.line('tinkex: one');
      term.progress('training', 1, 10, 'step 1/10'); // piped: not written yet (interval)
      term.endProgress();
      term.line('tinkex: two');
      const bar = `training ${'█'.repeat(2)}${'░'.repeat(22)} step 1/10`;
      expect(out.text()).toBe(
        isTTY ? `tinkex: one\n\r\u001b[2K${bar}\ntinkex: two\n` : `tinkex: one\n${bar}\ntinkex: two\n`,
      );
    }
  });
});
