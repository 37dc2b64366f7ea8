import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tmpdir } from 'node:os';
import { setup } from './harness.js';
import { inTerminal } from '../support/cli/in-terminal.js';
import { buildCli, runCli } from '../support/cli/run-cli.js';

describe('tinkex in a terminal (pseudo-TTY)', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let cliEnv: Record<string, string>;
  let runId: string;
  let paths: string[];

  beforeAll(async () => {
    const [ready] = await Promise.all([setup(), buildCli()]);
    env = ready;
    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 4,
    });
    runId = training.model_id;
    paths = [];
    for (const name of ['one', 'two', 'three']) paths.push((await training.saveState(name)).path);
    cliEnv = env.cliEnv;
  }, 300_000);
  afterAll(() => env.close());

  const remaining = async () =>
    JSON.parse(
      (await runCli(['checkpoint', 'list', '--run-id', runId, '-f', 'json'], { cwd: tmpdir(), env: cliEnv }))
        .stdout,
    ).checkpoints.map((c: { tinker_path: string }) => c.tinker_path);

  it('asks before deleting: "n" keeps the checkpoints, "y" deletes every path given', async () => {
    const declined = await inTerminal(['checkpoint', 'delete', paths[0], paths[1]], cliEnv, 'n\r');
    expect(declined.code).toBe(0);
    expect(declined.screen).toContain('Will delete 2 checkpoint(s):');
    expect(declined.screen).toContain(`  - ${paths[0]}`);
    expect(declined.screen).toContain('Are you sure you want to delete 2 checkpoint(s)? [y/N]');
    expect(declined.screen).toContain('Deletion cancelled.');
    expect(await remaining()).toEqual(paths);

    const confirmed = await inTerminal(['checkpoint', 'delete', paths[0], paths[1]], cliEnv, 'y\r');
    expect(confirmed.code).toBe(0);
    expect(confirmed.screen).toContain('Deleted 2 checkpoint(s)');
    expect(await remaining()).toEqual([paths[2]]);
  }, 120_000);

  it('Ctrl-C at the [y/N] question interrupts (exit 130), deleting nothing', async () => {
    // Found by hand: readline closed the question on Ctrl-C, which read as "no": "Deletion cancelled."
    // and exit 0, so a script or a shell saw success after the user interrupted.
    const interrupted = await inTerminal(['checkpoint', 'delete', paths[2]], cliEnv, '\u0003');
    expect(interrupted.code).toBe(130);
    expect(interrupted.screen).toContain('Error: interrupted');
    expect(interrupted.screen).not.toContain('Deletion cancelled.');
    expect(await remaining()).toContain(paths[2]);
  }, 120_000);

  it('Ctrl-C during a progress bar: the bar line is ended before "Error: interrupted", exit 130', async () => {
    // Found by hand: the error was written onto the bar's line ("… 102.0 steps/sError: interrupted").
    const run = await inTerminal(['quickstart', '--steps', '1000000'], {}, '\u0003', 'steps/s');
    expect(run.code).toBe(130);
    // The terminal echoes the keystroke as "^C" where the cursor is.
    // A clean-up that runs over a second (a loaded machine) says so on a line of its own first.
    expect(run.screen).toMatch(
      /steps\/s(\^C)?\r*\n(Cleaning up; press Ctrl-C again to exit at once\.\r*\n)?Error: interrupted/,
    );
    expect(run.screen).not.toMatch(/steps\/s(\^C)?Error/);
  }, 120_000);

  it('draws a coloured table on a terminal (and none of the colour codes when piped)', async () => {
    const shown = await inTerminal(['checkpoint', 'list', '--run-id', runId], cliEnv);
    expect(shown.code).toBe(0);
    expect(shown.screen).toMatch(/┌─+/);
    expect(shown.screen).toContain('\u001b[36m Checkpoint ID'); // cyan header
    expect(shown.screen).toContain('weights/three');
    const piped = await runCli(['checkpoint', 'list', '--run-id', runId], { cwd: tmpdir(), env: cliEnv });
    expect(piped.stdout).toContain('Checkpoint ID');
    expect(piped.stdout).not.toContain('\u001b[');
  }, 120_000);

  it('fits a table to the width of the terminal, wrapping long cells (piped, rows stay whole)', async () => {
    // Found by hand: `checkpoint list` drew 150-column lines in an 80-column terminal, which broke each
    // row over two lines of box drawing; `tinker` (rich) fits its tables to the terminal.
    // Its own run with one checkpoint: the delete test above changes `runId`'s list, and CI runs
    // the tests of a file in a random order.
    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 4,
    });
    const ownRun = training.model_id;
    const ownPath = (await training.saveState('only')).path;
    const shown = await inTerminal(
      ['checkpoint', 'list', '--run-id', ownRun],
      cliEnv,
      undefined,
      undefined,
      undefined,
      80,
    );
    expect(shown.code).toBe(0);
    // eslint-disable-next-line no-control-regex
    const lines = shown.screen.replace(/\u001b\[[0-9;]*m/g, '').split(/\r?\n/);
    expect(lines.filter((l) => l.length > 80)).toEqual([]);
    expect(lines).toContain(`1 checkpoint for run ${ownRun}`);
    expect(lines.filter((l) => l.startsWith('│ weights/'))).toHaveLength(1); // the row, its id wrapped
    const piped = await runCli(['checkpoint', 'list', '--run-id', ownRun], { cwd: tmpdir(), env: cliEnv });
    expect(piped.stdout).toContain(ownPath);
  }, 120_000);
});
