import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const LOADER = fileURLToPath(new URL('../../../../test/support/ts-loader.mjs', import.meta.url));
const SCRIPT = fileURLToPath(new URL('../support/prompt-then-abort.ts', import.meta.url));

/** Run `prompt-then-abort.ts` in a pseudo-terminal (util-linux `script`); resolves with what it printed. */
function inTerminal(ready: string): Promise<string> {
  const command = [process.execPath, '--import', LOADER, SCRIPT, ready].map((a) => `'${a}'`).join(' ');
  const child = spawn('script', ['-qefc', command, '/dev/null'], {
    env: { PATH: process.env.PATH ?? '', TERM: 'xterm' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  child.stdout.on('data', (d: Buffer) => (screen += d.toString()));
  return new Promise((resolve) =>
    child.on('close', () => {
      child.stdin.destroy();
      resolve(screen);
    }),
  );
}

/**
 * A credential command run while a person is at a terminal gets that terminal (so it can prompt). One
 * ended mid-prompt (the client closed, a timeout) must not leave the terminal without echo for the rest
 * of the program: the runner puts back the settings it found.
 */
describe('TINKER_CREDENTIAL_CMD ended while it prompts in a terminal', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'tinkex-cred-tty-'));
  });
  afterAll(() => rm(work, { recursive: true, force: true }));

  it('the terminal echoes again once the command has been ended', async () => {
    const screen = await inTerminal(join(work, 'ready'));
    expect(screen).toContain('TINKER_CREDENTIAL_CMD was ended: the client was closed; ECHO-ON');
  }, 60_000);
});
