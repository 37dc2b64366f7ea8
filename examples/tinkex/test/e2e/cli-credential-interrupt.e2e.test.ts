import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from 'tinker-emulator';
import { buildCli, startCli } from '../support/cli/run-cli.js';

/** Resolves when `name` exists in `dir`, or after `ms` with false (a hang guard, not a timing check). */
async function within(dir: string, name: string, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let watcher: FSWatcher | undefined;
  try {
    return await new Promise<boolean>((resolve) => {
      watcher = watch(dir, (_event, entry) => entry === name && resolve(true));
      timer = setTimeout(() => resolve(false), ms);
      if (existsSync(join(dir, name))) resolve(true);
    });
  } finally {
    clearTimeout(timer);
    watcher?.close();
  }
}

/**
 * A TINKER_CREDENTIAL_CMD still running when the CLI is stopped (SIGTERM from a supervisor, `timeout`,
 * a CI job's cancel). Found by hand: `tinkex run list` with a command stuck waiting (an SSO helper)
 * exited 130 at once, and the command's shell went on running, orphaned, until it finished on its own.
 */
describe('TINKER_CREDENTIAL_CMD when the CLI is stopped (spawned CLI)', () => {
  let emulator: RunningEmulator;
  let work: string;
  beforeAll(async () => {
    [emulator] = await Promise.all([startEmulator({ seed: 4 }), buildCli()]);
    work = await mkdtemp(join(tmpdir(), 'tinkex-cred-stop-'));
  }, 300_000);
  afterAll(async () => {
    await emulator.close();
    await rm(work, { recursive: true, force: true });
  });

  it('ends the command with the CLI', async () => {
    // The shell says when it starts, and when it is ended (it then ends its own sleep too).
    const command =
      `trap 'kill $! 2>/dev/null; echo > "${work}/ended"; exit 1' TERM; ` +
      `sleep 600 & echo > "${work}/started"; wait`;
    const { child, done } = startCli(['run', 'list'], {
      cwd: work,
      env: { TINKER_BASE_URL: emulator.url, TINKER_CREDENTIAL_CMD: command },
    });
    expect(await within(work, 'started', 20_000)).toBe(true);
    child.kill('SIGTERM');
    const result = await done;
    // 128 + 15, as a shell reports a process SIGTERM ended (and as `tinkex emulator` exits on it).
    expect(result.code).toBe(143);
    expect(result.stderr).toContain('Error: terminated');
    // Hang guard only: the shell is signalled before the CLI exits, and its trap runs at once.
    expect(await within(work, 'ended', 20_000)).toBe(true);
  }, 60_000);
});
