import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { setup } from './harness.js';
import { BIN, buildCli } from '../support/cli/run-cli.js';

/**
 * Found by hand: `TINKER_LOG=debug tinkex run list 2>&1 | head -1` exited 1, and with stderr alone going to
 * a reader that stops early (`2> >(head -1)`) the command died at its next log line, an uncaught EPIPE
 * whose stack trace went to the closed pipe: the result on stdout was lost with nothing shown. stdout's
 * EPIPE already ended the command quietly (exit 0); a closed stderr now only silences the diagnostics.
 */
describe('tinkex with stderr closed early (spawned CLI)', () => {
  let env: Awaited<ReturnType<typeof setup>>;

  beforeAll(async () => {
    const [ready] = await Promise.all([setup(), buildCli()]);
    env = ready;
    await env.service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 4 });
  }, 300_000);
  afterAll(() => env.close());

  /** Run the CLI with its stderr piped to `true`, which exits at once (closing the pipe); stdout is ours. */
  function withStderrClosed(args: string[]) {
    const script = 'exec 3>&1; "$@" 2>&1 1>&3 3>&- | true; exit "${PIPESTATUS[0]}"';
    const child = spawn('bash', ['-c', script, 'tinkex', process.execPath, BIN, ...args], {
      cwd: tmpdir(),
      env: { PATH: process.env.PATH ?? '', TINKER_TELEMETRY: '0', TINKER_LOG: 'debug', ...env.cliEnv },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    return new Promise<{ code: number | null; stdout: string }>((resolve) =>
      child.on('close', (code) => resolve({ code, stdout })),
    );
  }

  it('still prints its result on stdout and exits 0 when its debug log cannot be written', async () => {
    const result = await withStderrClosed(['run', 'list', '-f', 'json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).runs.length).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
