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
  projects: [project('<rootDir>', 'pristine-kernel'), ...workspaces],
};
