import { beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildCli } from '../support/cli/run-cli.js';
import { QUICKSTART_TEXT } from '../../src/demo/quickstart.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

/** `npm start --silent -- <args>` from the repository root, as the README shows it. */
function npmStart(args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn('npm', ['start', '--silent', '--', ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TINKER_TELEMETRY: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The quickstart behind `npm start` parses its arguments with the CLI's parser (commander). */
describe('npm start -- … (the quickstart, spawned)', () => {
  beforeAll(buildCli, 300_000);

  it('--help prints the quickstart usage; --steps=3 --json runs three steps; a typo is refused with exit 2', async () => {
    const [help, run, typo, bad] = await Promise.all([
      npmStart(['--help']),
      npmStart(['--steps=3', '--json']),
      npmStart(['--stepz=3']),
      npmStart(['--steps', 'three']),
    ]);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: tinkex quickstart \[options\]/);
    expect(help.stdout).toMatch(/--steps <n>[\s\S]*--json/);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).loss_curve).toHaveLength(3);
    // --json prints the summary only: no progress on stderr either.
    expect(run.stderr).toBe('');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/unknown option '--stepz=3'/);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/'--steps <n>' argument 'three' is invalid/);
  }, 180_000);

  it('piped, each progress bar is printed once, in its final (full) state', async () => {
    const run = await npmStart(['--steps=2']);
    expect(run.code).toBe(0);
    const full = '█'.repeat(24);
    expect(run.stderr.split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^connecting ${full} emulator http://127\\.0\\.0\\.1:\\d+$`)),
      expect.stringMatching(new RegExp(`^training ${full} step 2/2 loss \\d`)),
      // The units `checkpoint download` prints (found by hand: "276 KiB" here, "275.5 KB" there).
      expect.stringMatching(new RegExp(`^download ${full} \\d+\\.\\d (KB|MB)$`)),
      '',
    ]);
  }, 180_000);

  it('after the default 30 steps the sample repeats the training text up to its full stop', async () => {
    // Found by hand: the text was "… over the lazy dog. ", where the two-byte context "e " goes on as
    // "q" (The quick) and as "l" (the lazy), so the bigram adapter could not learn it and `npm start`
    // printed "The quick brown fox jumps over the quick brown fo" (40 tokens, cut mid-word).
    const run = await npmStart(['--json']);
    expect(run.code).toBe(0);
    const { prompt, completion } = JSON.parse(run.stdout).sample as { prompt: string; completion: string };
    expect(prompt + completion).toBe(QUICKSTART_TEXT.slice(0, QUICKSTART_TEXT.indexOf('.') + 1));
  }, 180_000);

  it('says "in 1 step" after one step, "in 2 steps" after two', async () => {
    // Found by hand: `npm start -- --steps 1` ended with "(0.0% lower) in 1 steps".
    const [one, two] = await Promise.all([npmStart(['--steps=1']), npmStart(['--steps=2'])]);
    expect(one.stdout).toMatch(/% lower\) in 1 step\n/);
    expect(two.stdout).toMatch(/% lower\) in 2 steps\n/);
  }, 180_000);

  it("prints the model's output with its control characters made visible (an escape could rewrite the terminal)", async () => {
    // Two steps leave the emulator's tiny model (seed 0) answering "The quick" with U+001D and "o": found
    // by hand, written to the terminal raw. `tinkex sample` already showed such characters.
    const [json, text] = await Promise.all([npmStart(['--steps=2', '--json']), npmStart(['--steps=2'])]);
    expect(JSON.parse(json.stdout).sample.completion).toBe('\u001do');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('prompt: The quick\u241d');
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    expect(text.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  }, 180_000);
});
