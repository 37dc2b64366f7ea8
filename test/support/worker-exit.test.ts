import { expect, it } from '@jest/globals';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runFixtureJest } from './run-fixture-jest.js';

/*
 * CI fails a run whose output says "A worker process has failed to exit gracefully" (.ci/run), as it
 * would an open handle. Jest also printed it for a suite that left nothing open: after each file it asks
 * the worker for its heap and replaces the worker when the heap is above `workerIdleMemoryLimit`
 * (jest.config.js). After the last file that reply comes while Jest is already ending the worker, and
 * jest-worker then starts a fresh worker and sends it the end request; Jest force-exits whatever has not
 * exited `workerGracefulExitTimeout` after that request (500 ms by default), and prints the message.
 * On an idle machine a fresh worker starts and ends within it (70 ms measured); on a loaded one it may
 * not. So the suite's config gives it longer. Run for real: Jest on a passing fixture, replacing its
 * worker after every file (as the suite does once the heap passes the limit), its workers slowed.
 */
const here = dirname(fileURLToPath(import.meta.url));

it('a worker replaced for its memory after the last file still ends without being force-exited', async () => {
  const suite = (await import(pathToFileURL(join(here, '../../jest.config.js')).href)) as {
    default: { workerGracefulExitTimeout?: number };
  };
  const { code, output } = await runFixtureJest('closes-its-server.fixture.mjs', {
    config: {
      // Above 1 kB after every file: replaced after every file, so after the last one too.
      workerIdleMemoryLimit: '1kB',
      workerGracefulExitTimeout: suite.default.workerGracefulExitTimeout,
    },
    env: {
      NODE_OPTIONS: `--require ${join(here, 'handle-fixtures/slow-worker-start.cjs')}`,
      // Longer than Jest's default of 500 ms, far shorter than what the suite allows.
      SLOW_WORKER_START_MS: '1500',
    },
  });
  expect(output).toMatch(/PASS .*closes-its-server\.fixture\.mjs/);
  expect(output).not.toContain('failed to exit gracefully');
  expect(code).toBe(0);
}, 60_000);
