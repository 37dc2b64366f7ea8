import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedPort } from '../../../../test/support/closed-port.js';
import { API_KEY, setup } from './harness.js';
import { buildCli, runCli } from '../support/cli/run-cli.js';

/** Runs, checkpoints and sampling through the spawned, built CLI against an in-process emulator. */
describe('tinkex run / checkpoint / sample (spawned CLI)', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  let runId: string;
  const paths: string[] = [];
  /** Runs the delete test empties (made up front: tests run in any order and count runs). */
  let deleteRun: { id: string; doomed: string[]; kept: string };
  let filterRun: { id: string; sampler: string };
  let hostileRunId: string;
  let cli: (...args: string[]) => ReturnType<typeof runCli>;

  beforeAll(async () => {
    const [ready] = await Promise.all([setup(), buildCli()]);
    env = ready;
    const training = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 8,
    });
    runId = training.model_id;
    for (const name of ['a', 'b', 'c']) paths.push((await training.saveState(name)).path);
    paths.push((await training.saveWeightsForSampler('s')).path);
    const forDelete = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 2,
    });
    deleteRun = {
      id: forDelete.model_id,
      doomed: [(await forDelete.saveState('x')).path, (await forDelete.saveState('y')).path],
      kept: (await forDelete.saveState('z')).path,
    };
    const forFilter = await env.service.createLoraTrainingClient({
      base_model: 'meta-llama/Llama-3.2-1B',
      rank: 2,
    });
    await forFilter.saveState('w1');
    filterRun = { id: forFilter.model_id, sampler: (await forFilter.saveWeightsForSampler('s1')).path };
    // A run whose metadata would drive the terminal if printed raw (a clear-screen, a colour, a
    // carriage return that overwrites the line): `run info` has to show it, not obey it.
    hostileRunId = (
      await env.service.createLoraTrainingClient({
        base_model: 'meta-llama/Llama-3.2-1B',
        rank: 4,
        user_metadata: { note: 'fine\r\u001b[2J\u001b[31mspoofed\u0007' },
      })
    ).model_id;
    // 102 more runs (106 in all): more than one page of 100, so --limit 0 has to page.
    await Promise.all(
      Array.from({ length: 102 }, () =>
        env.service.createLoraTrainingClient({ base_model: 'meta-llama/Llama-3.2-1B', rank: 4 }),
      ),
    );
    cli = (...args) => runCli(args, { cwd: tmpdir(), env: env.cliEnv });
  }, 300_000);
  afterAll(() => env.close());

  it('run list / run info: tables with relative times, JSON, --columns, --limit, --limit 0 = all', async () => {
    const [table, json, limited, all, columns, info, infoJson] = await Promise.all([
      cli('run', 'list'),
      cli('run', 'list', '--format', 'json'),
      cli('run', 'list', '--limit=2'),
      cli('run', 'list', '--limit', '0', '-f', 'json'),
      // Spaces and a trailing comma, as people type lists: `-c "id, owner"`, `-c id,owner,`.
      cli('run', 'list', '-c', 'id, owner,checkpoint,'),
      cli('run', 'info', runId),
      cli('-f', 'json', 'run', 'info', runId),
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^20 training runs \(86 more not shown, use --limit to see more\)\n/);
    expect(table.stdout).toMatch(/Run ID +│ Base Model +│ LoRA +│ Last Update +│ Status/);
    // Relative times (the exact wording is unit-tested in cli-output.test.ts); on a loaded machine the
    // setup can take over a minute, so "just now" is not guaranteed here.
    expect(table.stdout).toMatch(/just now|\d+ minutes? ago/);
    expect(JSON.parse(json.stdout).runs).toHaveLength(20);
    expect(limited.stdout).toMatch(/^2 training runs \(104 more not shown, use --limit to see more\)/);
    expect(limited.stdout.split('\n').filter((l) => l.includes('meta-llama'))).toHaveLength(2);
    expect(JSON.parse(all.stdout).runs).toHaveLength(106);
    expect(all.stderr).toBe(''); // as in `tinker`, the progress bar is for tables only
    expect(columns.stdout).toMatch(/Run ID +│ Owner +│ Last Checkpoint/);
    expect(columns.stdout).toContain('weights/c');
    expect(info.stdout).toMatch(/^Training Run: /);
    expect(info.stdout).toMatch(/LoRA +│ Yes \(Rank 8\)/);
    expect(info.stdout).toMatch(/Last Training Checkpoint +│ weights\/c/);
    expect(JSON.parse(infoJson.stdout)).toMatchObject({ training_run_id: runId, lora_rank: 8 });
  }, 60_000);

  it('pages through every run with --limit 0, with progress on stderr and the result on stdout', async () => {
    const all = await cli('run', 'list', '--limit', '0');
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^106 training runs\n/);
    expect(all.stderr).toMatch(/Fetching all training runs .* 106\/106/);
    const some = await cli('run', 'list', '--limit=150', '-f', 'json');
    expect(JSON.parse(some.stdout).runs).toHaveLength(106);
    const first = await cli('run', 'list', '--limit=0', '-c', 'id,lora', '-f', 'json');
    expect(
      JSON.parse(first.stdout).runs.map((r: { training_run_id: string }) => r.training_run_id),
    ).toContain(runId);
  }, 120_000);

  it('checkpoint list / info / publish / unpublish / set-ttl', async () => {
    const [list, listJson, user, info] = await Promise.all([
      cli('checkpoint', 'list', '--run-id', runId),
      cli('checkpoint', 'list', `--run-id=${runId}`, '-f', 'json'),
      cli('checkpoint', 'list', '--limit', '0'),
      cli('checkpoint', 'info', paths[0]),
    ]);
    expect(list.stdout).toMatch(new RegExp(`^4 checkpoints for run ${runId}\\n`));
    expect(list.stdout).toMatch(/Checkpoint ID +│ Type +│ Size +│ Public +│ Created +│ Expires +│ Path/);
    expect(list.stdout).toMatch(
      /weights\/a +│ training +│ \d+\.\d KB +│ No +│ (just now|\d+ minutes? ago) +│ Never/,
    );
    expect(list.stdout).toMatch(/sampler_weights\/s +│ sampler/);
    expect(JSON.parse(listJson.stdout)).toMatchObject({ run_id: runId });
    expect(JSON.parse(listJson.stdout).checkpoints).toHaveLength(4);
    expect(user.stdout).toMatch(/^\d+ checkpoints\n/);
    expect(user.stdout).toContain(paths[3]);
    expect(info.stdout).toMatch(/Tinker Path +│ tinker:\/\//);
    expect(info.stdout).toMatch(/LoRA +│ Yes \(Rank 8\)/);

    expect((await cli('checkpoint', 'publish', paths[0])).stdout).toBe(`Published ${paths[0]}\n`);
    expect((await cli('checkpoint', 'set-ttl', paths[0], '--ttl=7200')).code).toBe(0);
    const after = await cli('checkpoint', 'info', paths[0], '-f', 'json');
    expect(JSON.parse(after.stdout)).toMatchObject({ public: true, is_lora: true, lora_rank: 8 });
    expect(JSON.parse(after.stdout).expires_at).toEqual(expect.any(String));
    expect((await cli('checkpoint', 'info', paths[0])).stdout).toMatch(/Expires +│ in 1 hour/);
    expect((await cli('checkpoint', 'unpublish', paths[0])).code).toBe(0);
    expect((await cli('checkpoint', 'set-ttl', paths[0], '--remove')).stdout).toContain('Removed expiration');
    expect(JSON.parse((await cli('checkpoint', 'info', paths[0], '-f', 'json')).stdout)).toMatchObject({
      public: false,
      expires_at: null,
    });
  }, 60_000);

  it('API errors exit 1 with the status and what to do; --api-key/--base-url override the environment', async () => {
    const [missingRun, missingCkpt, conflict, flags, wrongUrl, missingSession] = await Promise.all([
      cli('run', 'info', 'no-such-run'),
      cli('checkpoint', 'info', `tinker://${runId}/weights/nope`),
      cli('checkpoint', 'unpublish', paths[1]),
      runCli(['run', 'list', '--api-key', API_KEY, `--base-url=${env.emulator.url}`], {
        cwd: tmpdir(),
        env: {},
      }),
      cli('run', 'list', '--base-url', `${env.emulator.url}/nowhere`),
      cli('session', 'export-trace', 'no-such-session', '--url-only'),
    ]);
    // No command lists sessions: the hint says where an id is seen (not "the id or tinker:// path").
    expect(missingSession.code).toBe(1);
    expect(missingSession.stderr).toMatch(
      /\nError: Resource not found \(HTTP 404\)\nCheck the session id: a training run's id \(`tinkex run list`\) starts with its session's, before `:train:`\. If it is right, the server may predate this call/,
    );
    expect(missingSession.stderr).not.toMatch(/tinker:\/\/ path/);
    expect(missingRun.code).toBe(1);
    expect(missingRun.stderr).toMatch(/^Error: Resource not found \(HTTP 404\)\nCheck the id/);
    expect(missingCkpt.code).toBe(1);
    expect(missingCkpt.stderr).toContain(`Error: Checkpoint not found: tinker://${runId}/weights/nope`);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toMatch(/^Error: \w[\w ]* \(HTTP 4\d\d\)/);
    // Unpublishing a private checkpoint: the hint guessed "(already published?)" for every 409 (round 35).
    expect(conflict.stderr).toMatch(
      /^Error: Conflict \(HTTP 409\)\n.*\nDetails: 409 checkpoint is not public$/m,
    );
    expect(conflict.stderr).not.toMatch(/already published/);
    expect(flags.code).toBe(0);
    expect(flags.stdout).toMatch(/training runs/);
    expect(wrongUrl.code).toBe(1);
    expect(wrongUrl.stderr).toMatch(/HTTP 404/);
    for (const r of [missingRun, missingCkpt, conflict, wrongUrl]) {
      expect(r.stderr).not.toContain(API_KEY);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  }, 60_000);

  it('control characters from the server are shown, not obeyed, in tables and error messages', async () => {
    const [info, missing] = await Promise.all([
      cli('run', 'info', hostileRunId),
      cli('run', 'info', 'evil\u001b[31m\rid'), // the server's 404 message echoes the id
    ]);
    expect(info.code).toBe(0);
    expect(info.stdout).toContain('fine␍␛[2J␛[31mspoofed␇');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('evil␛[31m␍id');
    for (const output of [info.stdout, info.stderr, missing.stdout, missing.stderr])
      // eslint-disable-next-line no-control-regex -- finding control characters is the point
      expect(output).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  }, 60_000);

  it('sample prints a table or JSON of decoded samples', async () => {
    const args = ['sample', '--base-model', 'meta-llama/Llama-3.2-1B', '--prompt', 'The quick'];
    const [table, json] = await Promise.all([
      cli(...args, '--max-tokens=4', '--tokenizer', 'tinkex/byte-level', '--num-samples', '2'),
      cli(...args, '--max-tokens', '3', '--temperature', '0', '--tokenizer=tinkex/byte-level', '-f', 'json'),
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^2 sample\(s\) for "The quick"\n/);
    expect(table.stdout).toMatch(/# +│ Stop Reason +│ Tokens +│ Text/);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.samples).toHaveLength(1);
    expect(parsed.samples[0]).toMatchObject({ index: 0, stop_reason: 'length' });
    expect(parsed.samples[0].tokens).toHaveLength(3);
  }, 60_000);

  it('sample gives up after --max-retries when the server keeps failing (it used to retry for 2 h)', async () => {
    const before = env.emulator.requestLog().filter((r) => r.path === '/api/v1/asample').length;
    env.emulator.setChaos('5xx=1;scope=sampling');
    try {
      const args = ['sample', '--base-model', 'meta-llama/Llama-3.2-1B', '--tokenizer', 'tinkex/byte-level'];
      const r = await runCli([...args, '--prompt', 'The quick', '--max-retries', '1'], {
        cwd: tmpdir(),
        env: { ...env.cliEnv, TINKER_LOG: undefined }, // the CLI's own default level: info
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^Error: .*\(HTTP 503\)/m);
      // Said while it waits, as for any other request (the CLI logs at info).
      expect(r.stderr).toMatch(/^tinkex: retrying sample in \d\.\d s after HTTP 503 \(retry 1 of 1\)$/m);
      const submitted = env.emulator.requestLog().filter((q) => q.path === '/api/v1/asample').length;
      expect(submitted - before).toBe(2); // the attempt and its one retry
    } finally {
      env.emulator.setChaos('');
    }
  }, 60_000);

  it('sample without --tokenizer, when the Hub is unreachable, says so and names --tokenizer', async () => {
    const hubPort = await closedPort();
    const emptyCache = mkdtempSync(join(tmpdir(), 'tinkex-hf-'));
    try {
      const r = await runCli(['sample', '--base-model', 'meta-llama/Llama-3.2-1B', '--prompt', 'The quick'], {
        cwd: tmpdir(),
        env: { ...env.cliEnv, HF_ENDPOINT: `http://127.0.0.1:${hubPort}`, HF_HOME: emptyCache },
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        `Error: Could not load the model's tokenizer: Connection failed: http://127.0.0.1:${hubPort} could not be reached\n` +
          'Pass --tokenizer <id>',
      );
      // Not the Tinker API's failure: no advice to check --base-url.
      expect(r.stderr).not.toMatch(/TINKER_BASE_URL/);
    } finally {
      rmSync(emptyCache, { recursive: true, force: true });
    }
  }, 60_000);

  it('delete of several paths with -y deletes every one (JSON summary); a failure exits 1', async () => {
    const { doomed, kept } = deleteRun;
    const deleted = await cli('checkpoint', 'delete', ...doomed, '-y', '-f', 'json');
    expect(deleted.code).toBe(0);
    expect(JSON.parse(deleted.stdout)).toEqual({ deleted_count: 2, earlier_attempt_applied: [], failed: [] });
    const left = await cli('checkpoint', 'list', '--run-id', deleteRun.id, '-f', 'json');
    expect(JSON.parse(left.stdout).checkpoints.map((c: { tinker_path: string }) => c.tinker_path)).toEqual([
      kept,
    ]);

    const partial = await cli('checkpoint', 'delete', kept, doomed[0], '--yes');
    expect(partial.code).toBe(1);
    expect(partial.stdout).toMatch(/^Deleted 1 checkpoint\(s\), failed to delete 1/);
    expect(partial.stdout).toMatch(/failed: Resource not found \(HTTP 404\)/);

    const { id: filtered, sampler } = filterRun;
    const byType = await cli('checkpoint', 'delete', '--run-id', filtered, '--type', 'weights', '-y');
    expect(byType.stdout).toMatch(/^Deleted 1 checkpoint\(s\)/);
    const rest = await cli('checkpoint', 'list', '--run-id', filtered, '-f', 'json');
    expect(JSON.parse(rest.stdout).checkpoints.map((c: { tinker_path: string }) => c.tinker_path)).toEqual([
      sampler,
    ]);
    const none = await cli('checkpoint', 'delete', '--run-id', filtered, '--before', '2000-01-01', '-y');
    // On stdout, as `tinker` prints it (round 29 found it on stderr): it is the command's answer.
    expect(none).toMatchObject({
      code: 0,
      stdout: `No checkpoints found for run ${filtered} matching filters\n`,
      stderr: '',
    });

    // Without -y and without a terminal nothing is deleted.
    const refused = await cli('checkpoint', 'delete', sampler);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/standard input is not a terminal[\s\S]*-y\/--yes/);
    expect((await cli('checkpoint', 'info', sampler)).code).toBe(0);
  }, 90_000);
});
