import { Command, InvalidArgumentError, Option } from 'commander';
import type { Checkpoint } from '../../types/checkpoints.js';
import type { CliContext } from '../context.js';
import { CliError, UsageError } from '../errors.js';
import { nonNegativeInt, runId, runIdOf, tinkerPath } from '../options.js';
import { countTitle, formatBool, formatLora, formatSize, formatTimestamp, propertyTable } from '../output.js';
import { collectPages } from '../paging.js';
import type { Action } from '../action.js';
import { registerDelete } from './checkpoint-delete.js';
import { registerDownload } from './checkpoint-download.js';
import { registerPushHf } from './checkpoint-push-hf.js';

const checkpointRow = (c: Checkpoint) => [
  c.checkpoint_id,
  c.checkpoint_type,
  formatSize(c.size_bytes),
  formatBool(c.public),
  formatTimestamp(c.time),
  c.expires_at ? formatTimestamp(c.expires_at) : 'Never',
  c.tinker_path,
];

async function list(ctx: CliContext, opts: { runId?: string; limit: number }) {
  const rest = await ctx.rest();
  const columns = ['Checkpoint ID', 'Type', 'Size', 'Public', 'Created', 'Expires', 'Path'];
  if (opts.runId) {
    // A run's checkpoints come in one answer (no paging), as in the official CLI.
    const { checkpoints } = await rest.listCheckpoints(opts.runId);
    ctx.print({
      json: { run_id: opts.runId, checkpoints },
      title: countTitle(checkpoints.length, undefined, 'checkpoint', ` for run ${opts.runId}`),
      columns,
      rows: checkpoints.map(checkpointRow),
    });
    return;
  }
  const { items, total } = await collectPages(ctx, 'checkpoints', opts.limit, 1000, async (limit, offset) => {
    const page = await rest.listUserCheckpoints({ limit, offset });
    return { items: page.checkpoints, total: page.cursor?.total_count ?? page.checkpoints.length };
  });
  ctx.print({
    json: { checkpoints: items },
    title: countTitle(items.length, total, 'checkpoint'),
    columns,
    rows: items.map(checkpointRow),
  });
}

/** The checkpoint a path names, from its run's list (as `tinker checkpoint info` finds it). */
export async function findCheckpoint(ctx: CliContext, path: string): Promise<Checkpoint> {
  const { checkpoints } = await (await ctx.rest()).listCheckpoints(runIdOf(path));
  const found = checkpoints.find((c) => c.tinker_path === path);
  if (!found)
    throw new CliError(
      `Checkpoint not found: ${path}`,
      'List them with `tinkex checkpoint list --run-id <run-id>`.',
    );
  return found;
}

async function info(ctx: CliContext, path: string) {
  const checkpoint = await findCheckpoint(ctx, path);
  const run = await (await ctx.rest()).getTrainingRun(runIdOf(path));
  ctx.print(
    propertyTable(
      `Checkpoint: ${checkpoint.checkpoint_id}`,
      { ...checkpoint, is_lora: run.is_lora, lora_rank: run.lora_rank },
      [
        ['Checkpoint ID', checkpoint.checkpoint_id],
        ['Type', checkpoint.checkpoint_type],
        ['Tinker Path', checkpoint.tinker_path],
        ['Size', formatSize(checkpoint.size_bytes)],
        ['Public', formatBool(checkpoint.public)],
        ['Created', formatTimestamp(checkpoint.time)],
        ['Expires', checkpoint.expires_at ? formatTimestamp(checkpoint.expires_at) : 'Never'],
        ['Training Run ID', run.training_run_id],
        ['LoRA', formatLora(run.is_lora, run.lora_rank, true)],
      ],
    ),
  );
}

/** `ttl_seconds`: null removes the expiration. */
async function setTtl(ctx: CliContext, path: string, ttl_seconds: number | null) {
  await (await ctx.rest()).setCheckpointTtlFromTinkerPath(path, ttl_seconds);
  const said =
    ttl_seconds === null ? `Removed expiration for ${path}` : `Set TTL of ${path} to ${ttl_seconds} seconds`;
  ctx.done(said, {
    tinker_path: path,
    ttl_seconds,
  });
}

/** `tinkex checkpoint list|info|publish|unpublish|set-ttl|delete|download`. */
export function registerCheckpoint(program: Command, action: Action): void {
  const checkpoint = program.command('checkpoint').description('Manage checkpoints');
  checkpoint
    .command('list')
    .description('List checkpoints: of one run (--run-id), else of all your runs')
    .option('--run-id <id>', 'only the checkpoints of this training run', runId)
    .option('--limit <n>', 'how many to fetch without --run-id (0 = all)', nonNegativeInt, 20)
    .action(action((ctx, opts) => list(ctx, opts)));
  checkpoint
    .command('info')
    .description('Show details of a checkpoint')
    .argument('<tinker_path>', 'tinker://<run-id>/<weights|sampler_weights>/<name>', tinkerPath)
    .action(action((ctx, _opts, path: string) => info(ctx, path)));
  checkpoint
    .command('publish')
    .description('Make a checkpoint public (owner only)')
    .argument('<tinker_path>', 'checkpoint path', tinkerPath)
    .action(
      action(async (ctx, _opts, path: string) => {
        await (await ctx.rest()).publishCheckpointFromTinkerPath(path);
        ctx.done(`Published ${path}`, { tinker_path: path, public: true });
      }),
    );
  checkpoint
    .command('unpublish')
    .description('Make a checkpoint private again (owner only)')
    .argument('<tinker_path>', 'checkpoint path', tinkerPath)
    .action(
      action(async (ctx, _opts, path: string) => {
        await (await ctx.rest()).unpublishCheckpointFromTinkerPath(path);
        ctx.done(`Unpublished ${path}`, { tinker_path: path, public: false });
      }),
    );
  checkpoint
    .command('set-ttl')
    .description('Set (--ttl) or remove (--remove) the time-to-live of a checkpoint')
    .argument('<tinker_path>', 'checkpoint path', tinkerPath)
    .addOption(
      new Option('--ttl <seconds>', 'expire this many seconds from now')
        .argParser((v) => {
          if (!/^[1-9]\d*$/.test(v))
            throw new InvalidArgumentError('expected a whole number of seconds ≥ 1.');
          return Number(v);
        })
        .conflicts('remove'),
    )
    .option('--remove', 'remove the expiration')
    .action(
      action(async (ctx, opts, path: string) => {
        const ttl: number | null | undefined = opts.remove ? null : opts.ttl;
        if (ttl === undefined) throw new UsageError('specify either --ttl <seconds> or --remove');
        await setTtl(ctx, path, ttl);
      }),
    );
  registerDelete(checkpoint, action);
  registerDownload(checkpoint, action);
  registerPushHf(checkpoint, action);
}
