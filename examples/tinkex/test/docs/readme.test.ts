import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator, type RunningEmulator } from 'tinker-emulator';
import { ServiceClient } from '../../src/index.js';
import { startAccountApi } from '../support/cli/account-api.js';
import { BIN, buildCli } from '../support/cli/run-cli.js';
import { docCommands } from './doc-commands.js';
import { startFakeHub, TEST_TOKEN, type FakeHub } from '../support/fake-hub/index.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const example = fileURLToPath(new URL('../../examples/readme-quickstart.ts', import.meta.url));

describe('README code runs as written', () => {
  let emulator: RunningEmulator;
  const saved = { ...process.env };
  beforeAll(async () => {
    emulator = await startEmulator({ seed: 7 });
    Object.assign(process.env, {
      TINKER_BASE_URL: emulator.url,
      TINKER_API_KEY: 'tml-readme-test',
      TINKER_TELEMETRY: '0',
      TINKER_LOG: 'off',
    });
  });
  afterAll(async () => {
    process.env = saved;
    await emulator.close();
  });

  it('the README quickstart block is the example file, verbatim', () => {
    const readme = readFileSync(`${root}README.md`, 'utf8');
    const block = /## 30 seconds with Tinkex[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)![1];
    const file = readFileSync(example, 'utf8').split('\n').slice(1).join('\n');
    expect(file).toBe(block);
  });

  it('the example trains, samples and prints the learned text against the emulator', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await import('../../examples/readme-quickstart.js');
      expect(log).toHaveBeenCalledTimes(1);
      expect(String(log.mock.calls[0][0])).toContain(' brown fox');
    } finally {
      log.mockRestore();
    }
  }, 30_000);
});

/**
 * Every CLI command the docs show runs as written (`npx tinkex` through the same bin npm links), against
 * the emulator, with RUN_ID, CHECKPOINT, … set to real ids; servers (`emulator`) must start and stop.
 */
describe('README and docs CLI commands run as written', () => {
  const commands = docCommands(root);
  let emulator: RunningEmulator;
  let account: Awaited<ReturnType<typeof startAccountApi>>;
  let hub: FakeHub;
  let work: string;
  let vars: Record<string, string>;

  beforeAll(async () => {
    [emulator, account, hub] = await Promise.all([
      startEmulator({ seed: 7 }),
      startAccountApi(),
      startFakeHub(),
      buildCli(),
    ]);
    const service = new ServiceClient({
      api_key: 'tml-docs',
      base_url: emulator.url,
      env: {},
      log_level: 'off',
      telemetry: false,
    });
    try {
      const training = await service.createLoraTrainingClient({
        base_model: 'meta-llama/Llama-3.2-1B',
        rank: 4,
      });
      const saved = [];
      for (const name of ['latest', 'old', 'older']) saved.push((await training.saveState(name)).path);
      await training.saveWeightsForSampler('sampler');
      vars = {
        RUN_ID: training.model_id,
        CHECKPOINT: saved[0],
        OLD_CHECKPOINT: saved[1],
        OLDER_CHECKPOINT: saved[2],
        SESSION_ID: 'sess-1',
      };
    } finally {
      await service.close();
    }
    work = await mkdtemp(join(tmpdir(), 'tinkex-docs-'));
  }, 300_000);
  afterAll(async () => {
    await Promise.all([
      emulator.close(),
      account.close(),
      hub.close(),
      rm(work, { recursive: true, force: true }),
    ]);
  });

  it('finds the documented commands (so that a renamed section cannot silently skip them)', () => {
    const shown = commands.map((c) => c.command);
    for (const expected of [
      'npx tinkex --help',
      'npx tinkex run list',
      'npx tinkex emulator',
      'npm start -- --steps 50',
    ])
      expect(shown).toContain(expected);
    expect(shown.filter((c) => c.startsWith('npx tinkex checkpoint')).length).toBeGreaterThanOrEqual(8);
  });

  it('npx tinkex and npx tinker-emulator work after npm ci, from the root and from examples/tinkex', async () => {
    for (const cwd of [root, join(root, 'examples', 'tinkex')]) {
      const result = await sh('npx tinkex --help', cwd, {});
      expect({ cwd, code: result.code }).toEqual({ cwd, code: 0 });
      expect(result.stdout).toContain('Usage: tinkex [options] [command]');
      const emulatorHelp = await sh('npx tinker-emulator --help', cwd, {});
      expect({ cwd, code: emulatorHelp.code }).toEqual({ cwd, code: 0 });
      expect(emulatorHelp.stdout).toContain('Usage: tinker-emulator [options]');
    }
  }, 120_000);

  it('every documented command succeeds', async () => {
    for (const { file, command } of commands) {
      const account_ = /\b(session|billing)\b/.test(command);
      const env = {
        ...vars,
        TINKER_API_KEY: 'tml-docs',
        TINKER_BASE_URL: account_ ? account.url : emulator.url,
        // `push-hf` goes to a Hub on loopback, as a reader's HF_ENDPOINT/HF_TOKEN would point it.
        HF_ENDPOINT: hub.url,
        HF_TOKEN: TEST_TOKEN,
        HF_HOME: join(work, '.hf'),
      };
      if (command.startsWith('npm start')) {
        // The quickstart against its own embedded emulator (no TINKER_* set), from the root.
        const result = await sh(command, root, {});
        expect({ file, command, code: result.code, stderr: result.stderr }).toMatchObject({ code: 0 });
        continue;
      }
      const local = command
        .replace(/^npx tinkex\b/, `node ${BIN}`)
        .replace(/^npx tinker-emulator\b/, `node ${EMULATOR_BIN}`)
        .replace(/--port \d+/, '--port 0');
      // An emulator command serves until stopped, unless it only prints its help or version and exits.
      const printsAndExits = /\s(--help|-h|--version|-V)(\s|$)/.test(command.split('#')[0]);
      if (!printsAndExits && /\bemulator\b/.test(command.split('#')[0].split(' ').slice(0, 3).join(' '))) {
        const server = await serve(local, work);
        // It answers (and, once it has, it has installed its SIGTERM handler: it printed the line first); a clean
        // stop on SIGTERM exits 143.
        const caps = await fetch(`${server.url}/api/v1/get_server_capabilities`, {
          headers: { 'x-api-key': 'tml-docs' },
        });
        expect(caps.status).toBe(200);
        expect({ file, command, code: await server.stop() }).toEqual({ file, command, code: 143 });
        continue;
      }
      const result = await sh(local, work, env);
      expect({ file, command, code: result.code, stderr: result.stderr }).toEqual({
        file,
        command,
        code: 0,
        stderr: expect.not.stringMatching(/Error/),
      });
    }
  }, 600_000);
});

const EMULATOR_BIN = join(root, 'examples', 'tinker-emulator', 'bin', 'tinker-emulator.mjs');

/** Run a command line in `sh`, as a reader pastes it. */
function sh(command: string, cwd: string, env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn('sh', ['-c', command], {
      cwd,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        TINKER_TELEMETRY: '0',
        TINKER_LOG: 'off',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Start a server command, wait for its `listening on` line, and return how to stop it (SIGTERM). */
function serve(command: string, cwd: string) {
  const child = spawn('sh', ['-c', `exec ${command}`], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code, signal) => resolve(code ?? (signal as unknown as number))),
  );
  return new Promise<{ url: string; stop: () => Promise<number | string> }>((resolve, reject) => {
    let out = '';
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      if (url)
        resolve({
          url,
          stop: () => (
            child.kill('SIGTERM'),
            exited.then((code) => (code === 143 ? 143 : `${code}: ${out}`))
          ),
        });
    });
    void exited.then((code) => reject(new Error(`${command} exited with ${code}:\n${out}`)));
  });
}
