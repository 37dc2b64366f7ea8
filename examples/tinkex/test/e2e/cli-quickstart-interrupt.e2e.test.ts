import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appears } from '../support/appears.js';
import { buildCli, startCli } from '../support/cli/run-cli.js';

/**
 * `npm start -- --steps 1000000` stopped with Ctrl-C: the quickstart once submitted every step before
 * the first result came back (a million futures, the event loop busy for seconds, so Ctrl-C waited), and
 * the interrupt exited without removing its work folder. It must stop, clean up and exit 130.
 */
describe('tinkex quickstart interrupted with Ctrl-C', () => {
  beforeAll(buildCli, 300_000);
  let work: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'tinkex-cli-qs-int-'));
    await writeFile(join(work, 'notes.txt'), 'keep me');
  });
  afterAll(() => rm(work, { recursive: true, force: true }));

  it('stops training, removes its work folder, leaves everything else, and exits 130', async () => {
    const created = appears(work, 'tinkex-quickstart-');
    // The quickstart's work folder goes to os.tmpdir(), i.e. TMPDIR.
    const { child, done } = startCli(['quickstart', '--steps', '1000000', '--json'], {
      cwd: work,
      env: { TMPDIR: work },
    });
    await created;
    child.kill('SIGINT');
    const result = await done;
    expect(result.stderr).toContain('interrupted');
    expect(result.code).toBe(130);
    expect(result.stdout).toBe('');
    expect(await readdir(work)).toEqual(['notes.txt']);
  }, 60_000);
});
