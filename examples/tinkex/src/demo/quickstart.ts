import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError, visibleControls } from 'pristine-kernel';
import type { RunningEmulator } from 'tinker-emulator';
import { loadEmulator } from '../cli/load-emulator.js';
import { downloadCheckpoint, ServiceClient } from '../index.js';
import { useCliLogger } from '../cli/cli-logger.js';
import { lineChart, terminal, type Terminal } from '../cli/terminal.js';
import { formatSize } from '../cli/output.js';

/**
 * Training steps in flight at once. Each step is submitted before the previous result arrives (the
 * server queues them), but not all of them: `--steps 1000000` once made a million futures up front.
 */
const PIPELINE_DEPTH = 8;

/**
 * Every two-byte context in this text has one continuation, so the byte model can learn it exactly and
 * the sample repeats it. "… over the lazy dog" would not do: "e " goes on as "q" (The quick) and "l".
 */
export const QUICKSTART_TEXT = 'The quick brown fox jumps over a lazy dog. ';

export interface QuickstartOptions {
  steps: number;
  json: boolean;
  env?: NodeJS.ProcessEnv;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WriteStream;
  /** Stops the run (Ctrl-C): the call in flight rejects, and the work folder and emulator are cleaned up. */
  signal?: AbortSignal;
  /** The client's `max_retries` against a deployment (the CLI's `--max-retries`); default 10. */
  maxRetries?: number;
  /** Where progress bars go (the CLI's own, so it can end a bar before an error); default: `stderr`'s. */
  terminal?: Terminal;
  /**
   * Say on stderr, in one line, that the bundled emulator is used and where. The CLI sets it when a key
   * was given but no address: that person probably meant a Tinker server.
   */
  sayEmulator?: boolean;
}

export interface QuickstartSummary {
  backend: 'emulator' | 'remote';
  model_id: string;
  steps: number;
  loss_curve: number[];
  loss_reduction: number;
  checkpoint: string;
  sample: { prompt: string; completion: string };
  /** How many training runs the account has (this one among them), as `listTrainingRuns` counts them. */
  training_runs: number;
  /** This run's checkpoints (the one the quickstart saved). */
  checkpoints: string[];
  downloaded_files: string[];
  timings_ms: Record<string, number>;
}

/**
 * The whole Tinker workflow through the public API: train a LoRA, save, sample (streamed), list runs and
 * checkpoints, download the archive. Uses the embedded emulator unless TINKER_BASE_URL names a
 * deployment (whose key comes from TINKER_API_KEY or TINKER_CREDENTIAL_CMD, as for any client).
 */
export async function runQuickstart(options: QuickstartOptions): Promise<QuickstartSummary> {
  if (!Number.isInteger(options.steps) || options.steps < 1)
    throw ValidationError.field('quickstart', '/steps', 'minimum', 'steps must be a whole number >= 1');
  const env = options.env ?? process.env;
  const out = options.stdout ?? process.stdout;
  const term = options.terminal ?? terminal(options.stderr ?? process.stderr, env);
  // The deployment's URL, when TINKER_BASE_URL names one: never silently the emulator instead of it.
  const remote = env.TINKER_BASE_URL || undefined;
  const signal = options.signal;
  const timings: Record<string, number> = {};
  const time = async <T>(name: string, work: () => PromiseLike<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await work();
    } finally {
      timings[name] = Math.round(performance.now() - start);
    }
  };
  let emulator: RunningEmulator | undefined;
  let target: string;
  if (remote) {
    target = remote;
  } else {
    emulator = await (await loadEmulator()).startEmulator({ seed: 7 });
    target = `emulator ${emulator.url}`;
    if (options.sayEmulator)
      term.line(
        `No TINKER_BASE_URL or --base-url given: running against the bundled local emulator at ${emulator.url} ` +
          '(set TINKER_BASE_URL to use a Tinker server)',
      );
  }
  // Against a real deployment, retries and server messages are told as the CLI's commands tell them.
  const owned = new ServiceClient(
    !emulator
      ? {
          env,
          configureKernel: (kernel) => useCliLogger(kernel, env, term),
          ...(options.maxRetries !== undefined ? { max_retries: options.maxRetries } : {}),
        }
      : { api_key: 'tml-local-emulator', base_url: emulator.url, env: {}, log_level: 'off' },
  );
  // Every call through this view, and through the clients it creates, stops when `signal` aborts.
  const service = signal ? owned.withOptions({ signal }) : owned;
  const workDir = await mkdtemp(join(tmpdir(), 'tinkex-quickstart-'));
  try {
    const baseModel = 'meta-llama/Llama-3.2-1B';
    if (!options.json) term.progress('connecting', 0, 1, target);
    const training = await time('create_model', () =>
      service.createLoraTrainingClient({ base_model: baseModel, rank: 16 }),
    );
    if (!options.json) term.progress('connecting', 1, 1, target);
    term.endProgress();
    const tokenizer = await training.getTokenizer();
    const tokens = tokenizer.encode(QUICKSTART_TEXT, { add_special_tokens: false });
    const datum = {
      model_input: { chunks: [{ tokens: tokens.slice(0, -1) }] },
      loss_fn_inputs: {
        target_tokens: { data: tokens.slice(1), dtype: 'int64' as const },
        weights: { data: tokens.slice(1).map(() => 1), dtype: 'float32' as const },
      },
    };

    // Pipelined, PIPELINE_DEPTH steps deep.
    const losses: number[] = [];
    const trainStart = performance.now();
    const record = (step: number, loss: number) => {
      losses[step] = loss;
      const done = losses.filter((x) => x !== undefined).length;
      const rate = (done / ((performance.now() - trainStart) / 1000)).toFixed(1);
      if (!options.json)
        term.progress(
          'training',
          done,
          options.steps,
          `step ${done}/${options.steps} loss ${loss.toFixed(4)} ${rate} steps/s`,
        );
    };
    await time('train', async () => {
      const inFlight: Promise<unknown>[] = [];
      for (let step = 0; step < options.steps; step++) {
        const pass = training
          .forwardBackward([datum], 'cross_entropy')
          .then((r) => record(step, r.metrics['loss:mean'] ?? r.metrics['loss:sum']));
        const both = Promise.all([pass, training.optimStep({ learning_rate: 1e-4 })]);
        // Awaited in order below; a failure while an earlier step is awaited is not "unhandled".
        both.catch(() => {});
        inFlight.push(both);
        if (inFlight.length >= PIPELINE_DEPTH) await inFlight.shift();
      }
      await Promise.all(inFlight);
    });
    term.endProgress();

    const saved = await time('save', () => training.saveState('quickstart'));
    const sampler = await time('sampler', () => training.saveWeightsAndGetSamplingClient());

    const prompt = 'The quick';
    let completion = '';
    await time('sample', async () => {
      if (!options.json) out.write(`\n${term.paint(1, 'prompt:')} ${prompt}${term.paint(32, '')}`);
      const pending: number[] = [];
      for await (const chunk of sampler.sampleStream({
        prompt: tokenizer.encode(prompt, { add_special_tokens: false }),
        sampling_params: { max_tokens: 40, temperature: 0, stop: ['.'] },
      })) {
        if (chunk.type !== 'token') continue;
        pending.push(chunk.token);
        const text = tokenizer.decode(pending);
        if (!text.includes('\ufffd')) {
          completion += text;
          pending.length = 0;
          // Model output: an escape sequence in it would act on the terminal instead of showing.
          if (!options.json) out.write(term.paint(32, visibleControls(text)));
        }
      }
      if (!options.json) out.write('\n\n');
    });

    const rest = service.createRestClient();
    const runs = await time('list_runs', () => rest.listTrainingRuns());
    const checkpoints = await time('list_checkpoints', () => rest.listCheckpoints(training.model_id));
    const { files } = await time('download', () =>
      downloadCheckpoint(rest, saved.path, {
        output_dir: workDir,
        // The view's signal stops its requests; the download's file work takes it too.
        ...(signal ? { signal } : {}),
        onProgress: (p) => {
          if (!options.json)
            term.progress(
              'download',
              p.downloadedBytes,
              Number.isFinite(p.totalBytes) ? p.totalBytes : p.downloadedBytes,
              formatSize(p.downloadedBytes),
            );
        },
      }),
    );
    term.endProgress();

    // `steps` is at least 1 (checked first), so there is a first and a last loss.
    const [first, last] = [losses[0], losses[losses.length - 1]];
    const summary: QuickstartSummary = {
      backend: remote ? 'remote' : 'emulator',
      model_id: training.model_id,
      steps: options.steps,
      loss_curve: losses,
      loss_reduction: losses.length > 1 ? 1 - last / first : 0,
      checkpoint: saved.path,
      sample: { prompt, completion },
      training_runs: runs.cursor.total_count,
      checkpoints: checkpoints.checkpoints.map((c) => c.tinker_path),
      downloaded_files: files,
      timings_ms: timings,
    };
    if (options.json) {
      out.write(`${JSON.stringify(summary, null, 2)}\n`);
    } else {
      out.write(`${term.paint(1, 'loss curve')}\n${lineChart(losses)}\n\n`);
      out.write(
        `loss ${first.toFixed(4)} → ${last.toFixed(4)} (${(summary.loss_reduction * 100).toFixed(1)}% lower) in ${options.steps} ${options.steps === 1 ? 'step' : 'steps'}\n`,
      );
      // The path and the archive's file names come from the server.
      out.write(visibleControls(`checkpoint ${saved.path} (${files.join(', ')})\n`));
      // Listing runs lists the account's; listing checkpoints, this run's: each count says which.
      out.write(
        `training runs of this account: ${summary.training_runs}; ` +
          `checkpoints of this run: ${summary.checkpoints.length}\n`,
      );
    }
    return summary;
  } finally {
    // A bar cut short (Ctrl-C, a failure) gets its line ended: the error then starts on its own line.
    term.endProgress();
    await owned.close();
    await emulator?.close();
    await rm(workDir, { recursive: true, force: true });
  }
}
