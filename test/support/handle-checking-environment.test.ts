import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * The suite runs in a Jest worker that is replaced when its heap grows, and a replaced worker is killed
 * with whatever it had open; the environment is what still fails a file that leaves a server open.
 * Run for real: Jest on two fixture files, one that leaks a server and one that closes its own.
 */
const here = dirname(fileURLToPath(import.meta.url));
const jestBin = join(dirname(createRequire(import.meta.url).resolve('jest/package.json')), 'bin/jest.js');

function runJest(
  fixture: string,
  environment = join(here, 'handle-checking-environment.js'),
): Promise<{ code: number | null; output: string }> {
  const config = {
    rootDir: join(here, 'handle-fixtures'),
    testMatch: [`**/${fixture}`],
    testEnvironment: environment,
    transform: {},
    // As the suite runs: in a worker, because of the memory limit (jest.config.js).
    workerIdleMemoryLimit: '1GB',
  };
  const child = spawn(
    process.execPath,
    ['--experimental-vm-modules', jestBin, '--ci', '--config', JSON.stringify(config)],
    {
      env: { ...process.env, NODE_OPTIONS: '', PRISTINE_HANDLE_SETTLE_MS: '300' },
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

describe('the handle-checking test environment', () => {
  it('fails a file that leaves a server listening, naming what it left', async () => {
    const { code, output } = await runJest('leaves-a-server.fixture.mjs');
    expect(code).toBe(1);
    expect(output).toMatch(/FAIL .*leaves-a-server\.fixture\.mjs/);
    expect(output).toContain('The test file left TCPServerWrap open');
  });

  it('fails a file that leaves a server open even though it closed another it did not open', async () => {
    // Counted by type, the server closed and the server left made no difference: the file passed.
    const { code, output } = await runJest(
      'swaps-a-server.fixture.mjs',
      join(here, 'handle-fixtures/server-opened-before.environment.mjs'),
    );
    expect(output).toMatch(/FAIL .*swaps-a-server\.fixture\.mjs/);
    expect(output).toContain('The test file left TCPServerWrap open');
    expect(code).toBe(1);
  });

  it('passes a file that closes its server and only writes to the standard streams', async () => {
    const { code, output } = await runJest('closes-its-server.fixture.mjs');
    expect(output).toMatch(/PASS .*closes-its-server\.fixture\.mjs/);
    expect(output).not.toContain('left');
    expect(code).toBe(0);
  });
});
