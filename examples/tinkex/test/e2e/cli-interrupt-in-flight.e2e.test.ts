import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setup } from './harness.js';
import { buildCli, startCli } from '../support/cli/run-cli.js';
import { startFakeHub, TEST_TOKEN, type FakeHub } from '../support/fake-hub/index.js';
import { forwardingProxy } from '../support/forwarding-proxy.js';

/**
 * A hung server, one request at a time: a proxy in front of the emulator holds the first request that
 * matches the case and never answers it. Ctrl-C then, once, must end the command with 130, leave nothing
 * behind, and need no second Ctrl-C. A call that does not carry the CLI's signal would sit out its
 * attempt (60 s) instead: commands that clean up after Ctrl-C (download, push-hf, export-trace,
 * quickstart) wait for their work to finish, so such a call hangs them past the test's bound. The others
 * stop at once whatever their calls do; they are here to pin that.
 */
const CASES: Array<{ name: string; args: (p: Paths) => string[]; hold: RegExp }> = [
  { name: 'run list', args: () => ['run', 'list', '--limit', '0'], hold: /^GET \/api\/v1\/training_runs\?/ },
  {
    name: 'run info',
    args: (p) => ['run', 'info', p.run],
    hold: /^GET \/api\/v1\/training_runs\/[^/?]+(\?|$)/,
  },
  {
    name: 'checkpoint list',
    args: () => ['checkpoint', 'list', '--limit', '0'],
    hold: /^GET \/api\/v1\/checkpoints/,
  },
  {
    name: 'checkpoint list --run-id',
    args: (p) => ['checkpoint', 'list', '--run-id', p.run],
    hold: /^GET \/api\/v1\/training_runs\/[^/]+\/checkpoints/,
  },
  { name: 'checkpoint info', args: (p) => ['checkpoint', 'info', p.state], hold: /\/checkpoints/ },
  { name: 'checkpoint publish', args: (p) => ['checkpoint', 'publish', p.state], hold: /publish/ },
  {
    name: 'checkpoint set-ttl',
    args: (p) => ['checkpoint', 'set-ttl', p.state, '--ttl', '600'],
    hold: /ttl/,
  },
  { name: 'checkpoint delete', args: (p) => ['checkpoint', 'delete', p.other, '-y'], hold: /^DELETE / },
  { name: 'checkpoint download', args: (p) => ['checkpoint', 'download', p.state], hold: /\/archive/ },
  {
    name: 'checkpoint push-hf (its weights_info)',
    args: (p) => ['checkpoint', 'push-hf', p.state, '--repo', 'alice/held'],
    hold: /weights_info/,
  },
  { name: 'session export-trace', args: (p) => ['session', 'export-trace', p.session], hold: /trace/ },
  {
    name: 'billing usage',
    args: () => ['billing', 'usage', '2026-07-13', '2026-07-14'],
    hold: /billing/,
  },
  {
    name: 'sample',
    args: () => [
      'sample',
      '--base-model',
      'meta-llama/Llama-3.2-1B',
      '--prompt',
      'x',
      '--tokenizer',
      'tinkex/byte-level',
    ],
    hold: /asample/,
  },
  {
    name: 'quickstart (remote)',
    args: () => ['quickstart', '--steps', '3', '--json'],
    hold: /forward_backward/,
  },
];

interface Paths {
  run: string;
  state: string;
  other: string;
  session: string;
}

describe('tinkex interrupted once while a request hangs', () => {
  beforeAll(buildCli, 300_000);
  let env: Awaited<ReturnType<typeof setup>>;
  let hub: FakeHub;
  let proxy: Awaited<ReturnType<typeof forwardingProxy>>;
  let paths: Paths;
  /** The current case's pattern, and who waits for its request to be held. */
  let holding: { hold: RegExp; held: () => void } | undefined;

  beforeAll(async () => {
    [env, hub] = await Promise.all([setup({ traceExportPendingPolls: 0 }), startFakeHub()]);
    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 4,
    });
    const state = (await training.saveState('held')).path;
    const other = (await training.saveState('other')).path;
    paths = { run: state.split('/')[2]!, state, other, session: (await env.service.session()).sessionId };
    proxy = await forwardingProxy(env.emulator.url, (req) => {
      if (!holding?.hold.test(`${req.method} ${req.url}`)) return false;
      holding.held();
      holding = undefined;
      // Never answered: the proxy's close() drops the connection, if the CLI has not.
      return new Promise(() => {});
    });
  }, 60_000);
  afterAll(async () => {
    await proxy?.close();
    await Promise.all([env?.close(), hub?.close()]);
  });

  it.each(CASES)(
    '$name: one Ctrl-C ends it with 130, nothing left behind',
    async ({ args, hold }) => {
      const work = await mkdtemp(join(tmpdir(), 'tinkex-cli-held-'));
      try {
        await writeFile(join(work, 'mine.txt'), 'keep');
        const held = new Promise<void>((resolve) => (holding = { hold, held: resolve }));
        const { child, done } = startCli(['--max-retries', '0', ...args(paths)], {
          cwd: work,
          env: {
            ...env.cliEnv,
            TINKER_BASE_URL: proxy.url,
            HF_ENDPOINT: hub.url,
            HF_TOKEN: TEST_TOKEN,
            TMPDIR: work,
          },
        });
        // Either the request arrives and is held, or the command ended first (a wrong pattern: shown below).
        const ended = await Promise.race([held.then(() => false), done.then(() => true)]);
        if (ended) {
          const { code, stderr } = await done;
          throw new Error(`the command ended (exit ${code}) before its request was held:\n${stderr}`);
        }
        child.kill('SIGINT');
        const result = await done;
        expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 130, stdout: '' });
        expect(result.stderr).toMatch(/Error: [\w ;]*interrupted/);
        expect(await readdir(work)).toEqual(['mine.txt']);
      } finally {
        holding = undefined;
        await rm(work, { recursive: true, force: true });
      }
    },
    30_000,
  );
});
