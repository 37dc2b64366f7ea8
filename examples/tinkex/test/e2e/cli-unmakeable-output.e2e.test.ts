import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { SUITE_MODE, setup } from './harness.js';
import { buildCli, runCli } from '../support/cli/run-cli.js';

/**
 * Found by hand (round 27): an output folder that cannot be made under /proc (`-o /proc/x`) hung the
 * command for ever, and Ctrl-C could not stop it (a download waits for its clean-up): Node's recursive
 * `mkdir` never settles there (Node 20.20 and 24.21). Linux only (it needs /proc); the run's one mode,
 * as the folder is the point, not the protocol.
 */
(existsSync('/proc/self') ? describe : describe.skip)(
  'an output folder that cannot be made (spawned CLI)',
  () => {
    let env: Awaited<ReturnType<typeof setup>>;
    let path: string;

    beforeAll(async () => {
      [env] = await Promise.all([setup(), buildCli()]);
      const training = await env.service.createLoraTrainingClient({
        base_model: 'meta-llama/Llama-3.2-1B',
        rank: 4,
      });
      path = (await training.saveState('a')).path;
    }, 300_000);
    afterAll(() => env.close());

    const cli = (...args: string[]) => runCli(args, { cwd: tmpdir(), env: env.cliEnv });

    it('checkpoint download -o /proc/<new> fails at once (exit 1) instead of hanging', async () => {
      const result = await cli('checkpoint', 'download', path, '-o', '/proc/tinkex-no-such/models');
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^Error: .*\/proc\/tinkex-no-such/);
    }, 30_000);

    // Trace export asks the server before it makes the folder, and a server of the JSON protocol has
    // none (404): in the legacy run there is no folder to make.
    (SUITE_MODE === 'legacy' ? it.skip : it)(
      'session export-trace -o /proc/<new>/<file> fails (exit 1) instead of hanging',
      async () => {
        const session = path.slice('tinker://'.length).split(':train:')[0]!;
        const result = await cli('session', 'export-trace', session, '-o', '/proc/tinkex-no-such/t.pftrace');
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/\nError: .*\/proc\/tinkex-no-such/);
      },
      30_000,
    );
  },
);
