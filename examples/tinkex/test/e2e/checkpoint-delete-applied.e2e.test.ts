import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { NotFoundError, ServiceClient, type TrainingClient } from '../../src/index.js';
import { forwardingProxy } from '../support/forwarding-proxy.js';
import { buildCli, runCli } from '../support/cli/run-cli.js';
import { API_KEY, setup, TEXT, textDatum } from './harness.js';

/**
 * A delete whose first attempt the server carried out but whose answer was lost (the connection was
 * reset after the request reached the server): the retry meets 404. A user deleting a checkpoint wants
 * "deleted", not a failure. The proxy in front of the emulator forwards a DELETE, waits for the
 * emulator's answer (the checkpoint is gone), then resets the client's connection without answering.
 */
let env: Awaited<ReturnType<typeof setup>>;
let proxy: Awaited<ReturnType<typeof forwardingProxy>>;
/** What the proxy does with the first DELETE of a checkpoint, by name (later ones go through). */
const firstDelete = new Map<string, 'apply then reset' | 'answer 429'>();
let training: TrainingClient;

beforeAll(async () => {
  env = await setup();
  training = await env.service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 2 });
  await training.forwardBackward([textDatum(TEXT)], 'cross_entropy');
  proxy = await forwardingProxy(env.emulator.url, (req, _body, res) => {
    const name = req.method === 'DELETE' ? nameIn(req.url ?? '') : undefined;
    const way = name === undefined ? undefined : firstDelete.get(name);
    if (way === undefined) return false;
    firstDelete.delete(name!);
    if (way === 'answer 429') {
      res
        .writeHead(429, { 'retry-after': '0', 'content-type': 'application/json' })
        .end('{"detail":"slow down"}');
      return true;
    }
    const upstream = new URL(env.emulator.url);
    const applied = request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: 'DELETE', headers: req.headers },
      (answer) => {
        answer.resume();
        answer.on('end', () => res.socket?.destroy()); // applied; the answer never reaches the client
      },
    );
    applied.on('error', () => res.destroy());
    applied.end();
    return true;
  });
}, 120_000);
afterAll(async () => {
  await proxy.close();
  await env.close();
});

function throughProxy() {
  return new ServiceClient({
    api_key: API_KEY,
    base_url: proxy.url,
    telemetry: false,
    log_level: 'off',
    env: {},
  });
}

/** The checkpoint's name: the last segment of a DELETE's URL or of a `tinker://` path. */
const nameIn = (url: string) => decodeURIComponent(url).split('/').at(-1);
/** The emulator's answers to the DELETEs of a checkpoint, oldest first. */
const deleteAnswers = (name: string) =>
  env.emulator
    .requestLog()
    .filter((e) => e.method === 'DELETE' && nameIn(e.path) === name)
    .map((e) => e.status);

describe('deleting a checkpoint whose first attempt was applied but not answered', () => {
  it('the library reports it deleted, by an earlier attempt; the retry met 404', async () => {
    const { path } = await training.saveState('applied-lib');
    firstDelete.set('applied-lib', 'apply then reset');
    const service = throughProxy();
    try {
      await expect(service.createRestClient().deleteCheckpointFromTinkerPath(path)).resolves.toEqual({
        earlier_attempt_applied: true,
      });
      // The first attempt deleted it (answered 204 to the proxy), the retry met 404.
      expect(deleteAnswers('applied-lib')).toEqual([204, 404]);
    } finally {
      await service.close();
    }
  });

  it('a 404 on the first attempt stays a NotFoundError', async () => {
    const { path } = await training.saveState('gone-first');
    const service = throughProxy();
    try {
      const rest = service.createRestClient();
      await expect(rest.deleteCheckpointFromTinkerPath(path)).resolves.toEqual({
        earlier_attempt_applied: false,
      });
      await expect(rest.deleteCheckpointFromTinkerPath(path)).rejects.toBeInstanceOf(NotFoundError);
    } finally {
      await service.close();
    }
  });

  it('a 404 on a retry after a 429 (an attempt that cannot have been applied) stays a NotFoundError', async () => {
    const { path } = await training.saveState('gone-after-429');
    const service = throughProxy();
    try {
      const rest = service.createRestClient();
      await rest.deleteCheckpointFromTinkerPath(path);
      firstDelete.set('gone-after-429', 'answer 429');
      await expect(rest.deleteCheckpointFromTinkerPath(path)).rejects.toBeInstanceOf(NotFoundError);
      // The proxy answered the first attempt 429; the retry reached the emulator and met 404.
      expect(firstDelete.size).toBe(0);
      expect(deleteAnswers('gone-after-429')).toEqual([204, 404]);
    } finally {
      await service.close();
    }
  });

  it('tinkex checkpoint delete says "deleted (an earlier attempt was applied)" and exits 0', async () => {
    await buildCli();
    const { path } = await training.saveState('applied-cli');
    firstDelete.set('applied-cli', 'apply then reset');
    const result = await runCli(['checkpoint', 'delete', path, '-y'], {
      cwd: tmpdir(),
      env: { ...env.cliEnv, TINKER_BASE_URL: proxy.url },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Deleted 1 checkpoint(s)');
    expect(result.stdout).toContain('deleted (an earlier attempt was applied)');
  }, 120_000);

  // Round 34: `-f json` counted such a path in deleted_count but named it nowhere.
  it('tinkex checkpoint delete -f json names the paths an earlier attempt deleted', async () => {
    await buildCli();
    const applied = await training.saveState('applied-json');
    const plain = await training.saveState('plain-json');
    firstDelete.set('applied-json', 'apply then reset');
    const result = await runCli(['checkpoint', 'delete', applied.path, plain.path, '-y', '-f', 'json'], {
      cwd: tmpdir(),
      env: { ...env.cliEnv, TINKER_BASE_URL: proxy.url },
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      deleted_count: 2,
      earlier_attempt_applied: [applied.path],
      failed: [],
    });
  }, 120_000);
});
