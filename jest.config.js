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
  projects: [project('<rootDir>', 'pristine'), ...workspaces],
};
