import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const jestBin = join(dirname(createRequire(import.meta.url).resolve('jest/package.json')), 'bin/jest.js');

/**
 * Runs Jest for real on one file of `test/support/handle-fixtures`, in the suite's test environment and,
 * as the suite runs, in a worker (because of the memory limit, jest.config.js). `config` and `env` are
 * laid over those settings. Resolves with the exit code and everything Jest printed.
 */
export function runFixtureJest(
  fixture: string,
  { config = {}, env = {} }: { config?: Record<string, unknown>; env?: Record<string, string> } = {},
): Promise<{ code: number | null; output: string }> {
  const settings = {
    rootDir: join(here, 'handle-fixtures'),
    testMatch: [`**/${fixture}`],
    testEnvironment: join(here, 'handle-checking-environment.js'),
    transform: {},
    workerIdleMemoryLimit: '1GB',
    ...config,
  };
  const child = spawn(
    process.execPath,
    ['--experimental-vm-modules', jestBin, '--ci', '--config', JSON.stringify(settings)],
    {
      env: { ...process.env, NODE_OPTIONS: '', PRISTINE_HANDLE_SETTLE_MS: '300', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}
