import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shellCommandRunner } from '../../src/protocol/credential.js';

/** Whether `pid` still runs (a zombie waiting to be reaped has ended). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Whether `pid` has ended within `withinMs`, asked on the event loop (no timer of the test's own). A
 * killed process closes its files (so the command's pipe closes and the runner answers) a moment before
 * the kernel marks it ended: under load that moment was seen (CI, Node 24), so one look is not enough.
 */
async function ended(pid: number, withinMs = 2_000): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (running(pid)) {
    if (Date.now() > until) return false;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return true;
}

/**
 * A credential command that leaves a process behind (`helper &`, a background refresher) must neither
 * hold the client until that process ends (its copy of stdout kept the pipe open: Node waited for it)
 * nor outlive the command: the command runs in its own process group, which is ended once the command
 * has exited or when its timeout (set low here: the test never waits on time of its own) has passed.
 */
const linux = process.platform === 'linux' ? describe : describe.skip;
linux('TINKER_CREDENTIAL_CMD with a background grandchild', () => {
  const withPidFile = async (fn: (pidFile: string) => Promise<void>) => {
    const dir = mkdtempSync(join(tmpdir(), 'tinkex-cred-'));
    try {
      await fn(join(dir, 'pid'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('answers once the command exits, and ends the process it left behind', async () => {
    await withPidFile(async (pidFile) => {
      const run = shellCommandRunner({ timeoutMs: 60_000 });
      const key = await run(`sleep 100 & echo $! > '${pidFile}'; echo tml-from-command`);
      expect(key).toBe('tml-from-command');
      const pid = Number(readFileSync(pidFile, 'utf8'));
      expect(await ended(pid)).toBe(true);
    });
  });

  it('on timeout ends the whole group, the command and what it started', async () => {
    await withPidFile(async (pidFile) => {
      const run = shellCommandRunner({ timeoutMs: 300 });
      const failure = await run(`sleep 100 & echo $! > '${pidFile}'; wait`).catch((e: unknown) => e);
      expect((failure as Error).message).toBe('TINKER_CREDENTIAL_CMD did not finish within 0.3 s');
      const pid = Number(readFileSync(pidFile, 'utf8'));
      expect(await ended(pid)).toBe(true);
    });
  });

  it('an abort (the client closing) ends the group too', async () => {
    await withPidFile(async (pidFile) => {
      const run = shellCommandRunner({ timeoutMs: 60_000 });
      const stop = new AbortController();
      // The command tells it started by writing its pid file; the abort comes after that.
      const pending = run(`sleep 100 & echo $! > '${pidFile}'; wait`, stop.signal).catch((e: unknown) => e);
      const started = await waitForFile(pidFile);
      stop.abort();
      expect(((await pending) as Error).message).toMatch(/was ended: the client was closed/);
      expect(await ended(started)).toBe(true);
    });
  });
});

/** The pid the command wrote, once the file holds one (polled on the event loop, not on a timer). */
async function waitForFile(path: string): Promise<number> {
  for (;;) {
    try {
      const pid = Number(readFileSync(path, 'utf8'));
      if (pid > 0) return pid;
    } catch {
      // Not written yet.
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}
