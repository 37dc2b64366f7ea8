import { describe, expect, it } from '@jest/globals';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runFixtureJest as runJest } from './run-fixture-jest.js';

/*
 * The suite runs in a Jest worker that is replaced when its heap grows, and a replaced worker is killed
 * with whatever it had open; the environment is what still fails a file that leaves a server open.
 * Run for real: Jest on fixture files that leak a server, close their own, or swap one for another.
 */
const here = dirname(fileURLToPath(import.meta.url));

describe('the handle-checking test environment', () => {
  it('fails a file that leaves a server listening, naming what it left', async () => {
    const { code, output } = await runJest('leaves-a-server.fixture.mjs');
    expect(code).toBe(1);
    expect(output).toMatch(/FAIL .*leaves-a-server\.fixture\.mjs/);
    expect(output).toContain('The test file left TCPServerWrap open');
  });

  it('fails a file that leaves a server open even though it closed another it did not open', async () => {
    // Counted by type, the server closed and the server left made no difference: the file passed.
    const { code, output } = await runJest('swaps-a-server.fixture.mjs', {
      config: { testEnvironment: join(here, 'handle-fixtures/server-opened-before.environment.mjs') },
    });
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
