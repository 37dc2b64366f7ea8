import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareTarget, removeCreated } from '../../src/download/download-target.js';

/**
 * What a failed download undoes of its output directory (the CLI's side is in cli-download.e2e): only
 * the directories this run made, and only while they are empty.
 */
describe('removeCreated', () => {
  let work: string;
  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'tinkex-created-'));
  });
  afterEach(() => rm(work, { recursive: true, force: true }));

  const exists = (path: string) =>
    stat(path).then(
      () => true,
      () => false,
    );

  it('removes every directory prepareTarget made, and stops at the first one that existed', async () => {
    await mkdir(join(work, 'kept'));
    const { target, created } = await prepareTarget(join(work, 'kept', 'a', 'b'), 'run_weights_x', false);
    expect(target).toBe(join(work, 'kept', 'a', 'b', 'run_weights_x'));
    expect(created).toEqual({ first: join(work, 'kept', 'a'), last: join(work, 'kept', 'a', 'b') });
    await removeCreated(created);
    expect(await readdir(join(work, 'kept'))).toEqual([]);
  });

  it('keeps a directory it made once something else was put in it, and every directory above', async () => {
    const { created } = await prepareTarget(join(work, 'a', 'b'), 'run_weights_x', false);
    await writeFile(join(work, 'a', 'theirs.txt'), 'not ours');
    await removeCreated(created);
    expect(await exists(join(work, 'a', 'b'))).toBe(false);
    expect(await readdir(join(work, 'a'))).toEqual(['theirs.txt']);
  });

  it('made nothing (and removes nothing) for an output directory that existed', async () => {
    await mkdir(join(work, 'empty'));
    const { created } = await prepareTarget(join(work, 'empty'), 'run_weights_x', false);
    expect(created).toBeUndefined();
    await removeCreated(created);
    expect(await exists(join(work, 'empty'))).toBe(true);
  });
});
