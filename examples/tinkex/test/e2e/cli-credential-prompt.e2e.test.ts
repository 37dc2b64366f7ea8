import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from 'tinker-emulator';
import { inTerminal } from '../support/cli/in-terminal.js';
import { buildCli, startCli } from '../support/cli/run-cli.js';

/**
 * Asks for a password as a prompting helper does (the prompt on stderr, echo off, the answer on stdin)
 * and, as such helpers do, keeps the credential in `file`: a credential that is not a JWT is asked for
 * anew on every request.
 */
const prompting = (file: string) =>
  `[ -f '${file}' ] || { stty -echo; printf 'Password: ' >&2; read pw || exit 3; stty echo; ` +
  `printf '\\n' >&2; echo "tml-$pw" > '${file}'; }; cat '${file}'`;

/**
 * TINKER_CREDENTIAL_CMD runs in a session of its own (so a timeout or the CLI's exit can end everything
 * it started), which leaves it no controlling terminal. Found on review: it therefore could not prompt
 * (stdin was /dev/null, stderr dropped), where the Python SDK's shell subprocess can. In a terminal the
 * command now gets the terminal as its stdin and stderr; elsewhere nothing changes.
 */
describe('TINKER_CREDENTIAL_CMD that prompts (spawned CLI)', () => {
  let emulator: RunningEmulator;
  let work: string;
  beforeAll(async () => {
    [emulator] = await Promise.all([startEmulator({ seed: 5 }), buildCli()]);
    work = await mkdtemp(join(tmpdir(), 'tinkex-cred-prompt-'));
  }, 300_000);
  afterAll(async () => {
    await emulator.close();
    await rm(work, { recursive: true, force: true });
  });
  const env = (name: string) => ({
    TINKER_BASE_URL: emulator.url,
    TINKER_CREDENTIAL_CMD: prompting(join(work, name)),
  });

  it('in a terminal, it shows its prompt and reads the answer typed there (echo off as it asked)', async () => {
    const run = await inTerminal(['run', 'list'], env('typed'), 'hunter2\r', 'Password: ');
    expect({ code: run.code, screen: run.screen }).toMatchObject({ code: 0 });
    expect(run.screen).toContain('Password: ');
    expect(run.screen).not.toContain('hunter2'); // its `stty -echo` acted on the terminal
    expect(run.screen).not.toMatch(/Error/);
  }, 60_000);

  it('Ctrl-C at its prompt ends it and the CLI (130), and the terminal echoes again', async () => {
    const run = await inTerminal(['run', 'list'], env('interrupted'), '\u0003', 'Password: ', 'stty -a');
    expect(run.code).toBe(130);
    expect(run.screen).toContain('Error: interrupted');
    // The command turned echo off and was ended before it could turn it on; echo is back (the runner
    // puts the settings back, see credential-terminal.test.ts, and so does Node when the CLI exits).
    expect(run.screen).toMatch(/(^|[\s;])echo[\s;]/m);
    expect(run.screen).not.toMatch(/(^|[\s;])-echo[\s;]/m);
  }, 60_000);

  it('without a terminal, what is piped to the CLI is not given to the command', async () => {
    const { child, done } = startCli(['run', 'list'], { cwd: tmpdir(), env: env('piped'), stdin: 'pipe' });
    child.stdin!.end('hunter2\n');
    const result = await done;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('TINKER_CREDENTIAL_CMD failed (exit code 3)');
    expect(result.stderr).not.toContain('Password');
  }, 60_000);
});
