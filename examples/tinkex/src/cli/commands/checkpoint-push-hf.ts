import { Command, Option } from 'commander';
import type { CliContext } from '../context.js';
import { InterruptedError } from '../errors.js';
import { tinkerPath } from '../options.js';
import { formatBool, formatSize, propertyTable } from '../output.js';
import type { Action } from '../action.js';

interface PushOptions {
  repo?: string;
  public?: boolean;
  revision?: string;
  commitMessage?: string;
  createPr?: boolean;
  allowPattern?: string[];
  ignorePattern?: string[];
  modelCard: boolean;
  overwrite?: boolean;
  yes?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * `tinker checkpoint push-hf` (0.25): the checkpoint becomes a PEFT adapter repository on the Hugging
 * Face Hub (`HF_TOKEN`, `HF_ENDPOINT`). Added here: nothing is replaced without `--overwrite`, which
 * asks first (`-y` skips the question).
 */
async function push(ctx: CliContext, path: string, opts: PushOptions) {
  const target = `${opts.repo ?? 'the derived repository'}${opts.revision ? `@${opts.revision}` : ''}`;
  if (opts.overwrite && !opts.yes) {
    ctx.note(`--overwrite replaces files in ${target} that differ from ${path}.`);
    if (!(await ctx.confirm('Replace them?'))) {
      ctx.note('Upload cancelled.');
      return 0;
    }
  }
  const { pushCheckpointToHub } = await import('../../hub/push-checkpoint.js');
  try {
    const result = await pushCheckpointToHub(await ctx.rest(), path, {
      env: ctx.io.env,
      signal: ctx.signal,
      ...(opts.repo !== undefined ? { repo_id: opts.repo } : {}),
      ...(opts.revision !== undefined ? { revision: opts.revision } : {}),
      ...(opts.commitMessage !== undefined ? { commit_message: opts.commitMessage } : {}),
      ...(opts.allowPattern ? { allow_patterns: opts.allowPattern } : {}),
      ...(opts.ignorePattern ? { ignore_patterns: opts.ignorePattern } : {}),
      public: opts.public ?? false,
      create_pr: opts.createPr ?? false,
      add_model_card: opts.modelCard,
      overwrite: opts.overwrite ?? false,
      onProgress: (p) => {
        if (p.phase === 'downloading')
          ctx.term.progress(
            'Downloading checkpoint',
            p.downloadedBytes,
            p.totalBytes,
            formatSize(p.downloadedBytes),
          );
        else if (p.phase === 'uploading')
          ctx.term.progress(`Uploading ${p.file}`, p.progress, 1, `${Math.round(p.progress * 100)}%`);
      },
    }).finally(() => ctx.term.endProgress());
    ctx.print(
      propertyTable(`Checkpoint Hub Upload: ${path}`, result, [
        ['Checkpoint Path', result.checkpoint_path],
        ['Repo ID', result.repo_id],
        ['Revision', result.revision],
        ['Public', formatBool(result.public)],
        [
          'Commit',
          result.unchanged
            ? 'none: the Hub already has these files'
            : (result.pull_request_url ?? result.commit_url ?? ''),
        ],
        ['Files', result.files.join('\n')],
      ]),
    );
    return 0;
  } catch (error) {
    if (ctx.signal.aborted) throw new InterruptedError('upload interrupted; temporary files were removed');
    throw error;
  }
}

export function registerPushHf(checkpoint: Command, action: Action): void {
  checkpoint
    .command('push-hf')
    .description('Upload a checkpoint to the Hugging Face Hub as a PEFT adapter (needs HF_TOKEN)')
    .argument('<tinker_path>', 'checkpoint path, e.g. tinker://<run-id>/sampler_weights/0001', tinkerPath)
    .option(
      '-r, --repo <id>',
      'Hugging Face repo id (e.g. username/my-lora-adapter); default derived from the run',
    )
    .addOption(new Option('--public', 'create the repo public (default: private)').conflicts('private'))
    .addOption(new Option('--private', 'create the repo private (the default)').conflicts('public'))
    .option('--revision <branch>', 'branch to upload to (created when missing)')
    .option('--commit-message <message>', 'commit message (default: Upload adapter from <path>)')
    .option('--create-pr', 'open a pull request instead of committing to the branch')
    .option('--allow-pattern <pattern>', 'only upload files matching this pattern (repeatable)', collect)
    .option('--ignore-pattern <pattern>', 'skip files matching this pattern (repeatable)', collect)
    .option('--no-model-card', 'do not write a README.md model card when the checkpoint has none')
    .option('--overwrite', 'replace files that already exist with different content (asks first)')
    .option('-y, --yes', 'do not ask for confirmation')
    .addHelpText(
      'after',
      '\nEnvironment: HF_TOKEN (or HF_TOKEN_PATH, $HF_HOME/token), HF_ENDPOINT (default https://huggingface.co).\n' +
        'Example:\n  tinkex checkpoint push-hf tinker://<run-id>/weights/final --repo me/my-adapter',
    )
    .action(action((ctx, opts, path: string) => push(ctx, path, opts as PushOptions), { cleansUp: true }));
}
