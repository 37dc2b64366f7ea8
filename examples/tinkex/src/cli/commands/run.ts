import { Command, InvalidArgumentError } from 'commander';
import type { TrainingRun } from '../../types/training-runs.js';
import type { CliContext } from '../context.js';
import { nonNegativeInt, runId } from '../options.js';
import { countTitle, formatLora, formatTimestamp, propertyTable } from '../output.js';
import { collectPages } from '../paging.js';
import type { Action } from '../action.js';

/** `tinker run list --columns`: name → header and cell. */
const COLUMNS: Record<string, [string, (r: TrainingRun) => string]> = {
  id: ['Run ID', (r) => r.training_run_id],
  model: ['Base Model', (r) => r.base_model],
  owner: ['Owner', (r) => r.model_owner],
  lora: ['LoRA', (r) => formatLora(r.is_lora, r.lora_rank)],
  updated: ['Last Update', (r) => formatTimestamp(r.last_request_time)],
  status: ['Status', (r) => (r.corrupted ? 'Failed' : 'OK')],
  checkpoint: ['Last Checkpoint', (r) => r.last_checkpoint?.checkpoint_id ?? 'None'],
  checkpoint_time: ['Checkpoint Time', (r) => formatTimestamp(r.last_checkpoint?.time)],
};
const DEFAULT_COLUMNS = ['id', 'model', 'lora', 'updated', 'status'];

function columnList(value: string): string[] {
  // A trailing comma or a space after one (`-c "id, owner,"`) names no column: skipped, not refused.
  const names = value
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
  if (names.length === 0)
    throw new InvalidArgumentError(`expected at least one column name: ${Object.keys(COLUMNS).join(', ')}.`);
  const unknown = names.filter((c) => !(c in COLUMNS));
  if (unknown.length > 0)
    throw new InvalidArgumentError(
      `unknown column(s) ${unknown.join(', ')}; available: ${Object.keys(COLUMNS).join(', ')}.`,
    );
  return names;
}

async function list(
  ctx: CliContext,
  opts: { limit: number; columns?: string[]; accessScope?: 'owned' | 'accessible' },
) {
  const rest = await ctx.rest();
  const { items, total } = await collectPages(
    ctx,
    'training runs',
    opts.limit,
    100,
    async (limit, offset) => {
      const page = await rest.listTrainingRuns({
        limit,
        offset,
        ...(opts.accessScope ? { access_scope: opts.accessScope } : {}),
      });
      return { items: page.training_runs, total: page.cursor.total_count };
    },
  );
  const columns = opts.columns ?? DEFAULT_COLUMNS;
  ctx.print({
    json: { runs: items },
    title: countTitle(items.length, total, 'training run'),
    columns: columns.map((c) => COLUMNS[c][0]),
    rows: items.map((run) => columns.map((c) => COLUMNS[c][1](run))),
  });
}

async function info(ctx: CliContext, runId: string) {
  const run = await (await ctx.rest()).getTrainingRun(runId);
  const rows: [string, string][] = [
    ['Run ID', run.training_run_id],
    ['Base Model', run.base_model],
    ['Owner', run.model_owner],
    ['LoRA', formatLora(run.is_lora, run.lora_rank, true)],
    ['Last Update', formatTimestamp(run.last_request_time)],
    ['Status', run.corrupted ? 'Failed' : 'OK'],
  ];
  for (const [label, ckpt] of [
    ['Last Training Checkpoint', run.last_checkpoint],
    ['Last Sampler Checkpoint', run.last_sampler_checkpoint],
  ] as const) {
    if (!ckpt) continue;
    rows.push(
      [label, ckpt.checkpoint_id],
      ['  - Time', formatTimestamp(ckpt.time)],
      ['  - Path', ckpt.tinker_path],
    );
  }
  if (run.user_metadata && Object.keys(run.user_metadata).length > 0) {
    rows.push(['Metadata', '']);
    for (const [key, value] of Object.entries(run.user_metadata)) rows.push([`  - ${key}`, String(value)]);
  }
  ctx.print(propertyTable(`Training Run: ${run.training_run_id}`, run, rows));
}

const scopeOption = (cmd: Command) =>
  cmd.option('--access-scope <scope>', 'owned (default) or accessible (also runs shared with you)', (v) => {
    if (v !== 'owned' && v !== 'accessible') throw new InvalidArgumentError('expected owned or accessible.');
    return v;
  });

/** `tinkex run list|info`. */
export function registerRun(program: Command, action: Action): void {
  const run = program.command('run').description('Manage training runs');
  scopeOption(
    run
      .command('list')
      .description('List training runs')
      .option('--limit <n>', 'how many runs to fetch (0 = all)', nonNegativeInt, 20)
      .option(
        '-c, --columns <names>',
        `columns to show, comma-separated: ${Object.keys(COLUMNS).join(', ')} (default: ${DEFAULT_COLUMNS.join(',')})`,
        columnList,
      ),
  ).action(action((ctx, opts) => list(ctx, opts)));
  run
    .command('info')
    .description('Show details of a training run')
    .argument('<run_id>', 'training run id', runId)
    .action(action((ctx, _opts, runId: string) => info(ctx, runId)));
}
