import { spawn, spawnSync } from 'node:child_process';
import { median } from './lib.mjs';

const root = new URL('..', import.meta.url).pathname;

/** One `npm start -- --steps=1` (node scripts/start.mjs): ms until the first training step is reported. */
function timeToFirstStep() {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['scripts/start.mjs', '--steps=1'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let firstStepMs;
    let output = '';
    const watch = (chunk) => {
      output += chunk;
      // The progress line `training … step 1/1 loss …` is printed when the first step has completed.
      if (firstStepMs === undefined && /step 1\/1/.test(output)) firstStepMs = performance.now() - started;
    };
    child.stdout.on('data', watch);
    child.stderr.on('data', watch);
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 && firstStepMs !== undefined
        ? resolve(firstStepMs)
        : reject(new Error(`npm start exited with ${code} before a first step:\n${output}`)),
    );
  });
}

/**
 * `npm start` when nothing changed since the last build: the tinkex bin checks the sources against its
 * build stamps and skips tsc. One run first brings the build up to date (it may build), then three runs
 * are timed to the first training step.
 */
export async function startTime() {
  const warm = spawnSync(process.execPath, ['scripts/start.mjs', '--steps=1', '--json'], { cwd: root });
  if (warm.status !== 0) throw new Error(`npm start failed: ${warm.stderr}`);
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(await timeToFirstStep());
  return { first_step_ms: median(runs), first_step_ms_runs: runs };
}
