import { project } from './jest.preset.js';
import fs from 'node:fs';

// One run covers the kernel and every workspace, so CI reads a single JSON report.
const workspaces = ['examples', 'plugins'].flatMap((top) =>
  fs.existsSync(top)
    ? fs
        .readdirSync(top)
        .filter((d) => fs.existsSync(`${top}/${d}/test`))
        .map((d) => project(`<rootDir>/${top}/${d}`, d))
    : [],
);

export default {
  // Per-test timeout is a global option (projects do not carry it): see jest.preset.js for why 30 s.
  testTimeout: 30_000,
  // Jest's ESM mode keeps every finished test file's module graph alive in the process that ran it
  // (about 2.5 MB for an empty file, 7–13 MB for ours; Jest's vm contexts, not our code). In band on a
  // 2-core machine that process reached Node 24's 4 GB default heap before the suite ended. With this
  // limit Jest runs the files in a worker (still one, on 2 cores) and replaces the worker once its heap
  // is above the limit after a file, so the suite's memory is bounded whatever its length.
  workerIdleMemoryLimit: '1GB',
  // How long Jest lets its worker end before force-exiting it and printing "A worker process has failed
  // to exit gracefully" (which fails CI). Jest's 500 ms is too short when the heap check after the last
  // file replaces the worker just as Jest ends it: a fresh worker is started and sent the end request,
  // and on a loaded machine starting it takes longer than that (test/support/worker-exit.test.ts). A
  // worker that something really keeps open is still force-exited, and reported, after this long.
  workerGracefulExitTimeout: 10_000,
  projects: [project('<rootDir>', 'pristine-kernel'), ...workspaces],
};
