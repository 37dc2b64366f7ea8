import { Command, InvalidArgumentError } from 'commander';
import type { Checkpoint } from '../../types/checkpoints.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { isoDate, runId, tinkerPath } from '../options.js';
import { formatSize, formatTimestamp } from '../output.js';
import type { Action } from '../action.js';

/** Deletes in flight at once (the official CLI's thread pool size). */
const CONCURRENCY = 32;

/** `--type` accepts the path spelling and the API's. */
const TYPES: Record<string, Checkpoint['checkpoint_type']> = {
  weights: 'training',
  training: 'training',
  sampler_weights: 'sampler',
  sampler: 'sampler',
};

interface DeleteOptions {
  runId?: string;
  type?: Checkpoint['checkpoint_type'];
  before?: Date;
  after?: Date;
  yes?: boolean;
}

async function remove(ctx: CliContext, paths: string[], opts: DeleteOptions): Promise<number> {
  if ((opts.type || opts.before || opts.after) && !opts.runId)
    throw new UsageError('--type, --before and --after need --run-id');
  if (paths.length === 0 && !opts.runId) throw new UsageError('give checkpoint paths or --run-id');
  if (paths.length > 0 && opts.runId)
    throw new UsageError('give either checkpoint paths or --run-id, not both');
  if (opts.after && opts.before && opts.after >= opts.before)
    throw new UsageError(
      `--after (${opts.after.toISOString()}) must be earlier than --before (${opts.before.toISOString()}): no checkpoint is in that window`,
    );
  const rest = await ctx.rest();
  const { describeError } = await import('../describe-error.js');
  let listed: Checkpoint[] | undefined;
  if (opts.runId) {
    listed = (await rest.listCheckpoints(opts.runId)).checkpoints.filter(
      (c) =>
        (!opts.type || c.checkpoint_type === opts.type) &&
        (!opts.before || Date.parse(c.time) < opts.before.getTime()) &&
        (!opts.after || Date.parse(c.time) > opts.after.getTime()),
    );
    if (listed.length === 0) {
      const none = `No checkpoints found for run ${opts.runId} matching filters`;
      // The command's answer, so on stdout as `tinker` prints it; the JSON format's answer is the usual
      // record (a script reads a count, not a sentence), with the sentence beside it on stderr.
      ctx.done(none, { deleted_count: 0, earlier_attempt_applied: [], failed: [] });
      if (ctx.format === 'json') ctx.note(none);
      return 0;
    }
    paths = listed.map((c) => c.tinker_path);
  }
  paths = [...new Set(paths)];
  if (!opts.yes) {
    ctx.note(`Will delete ${paths.length} checkpoint(s):`);
    if (listed) {
      for (const c of listed)
        ctx.note(`  - ${c.tinker_path} (${formatSize(c.size_bytes)}, created ${formatTimestamp(c.time)})`);
      ctx.note(`\nTotal size: ${formatSize(listed.reduce((sum, c) => sum + (c.size_bytes ?? 0), 0))}`);
    } else for (const path of paths) ctx.note(`  - ${path}`);
    ctx.note('WARNING: This action is permanent and cannot be undone.');
    if (!(await ctx.confirm(`Are you sure you want to delete ${paths.length} checkpoint(s)?`))) {
      ctx.note('Deletion cancelled.');
      return 0;
    }
  }
  const failed: { tinker_path: string; error: string }[] = [];
  let deleted = 0;
  /** Deleted by an attempt whose answer was lost (the retry met 404): said so in the table. */
  const byEarlierAttempt = new Set<string>();
  const queue = [...paths];
  const worker = async () => {
    for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
      try {
        const outcome = await rest.deleteCheckpointFromTinkerPath(path);
        if (outcome.earlier_attempt_applied) byEarlierAttempt.add(path);
        deleted++;
      } catch (error) {
        const why = describeError(error, ctx.apiSetup());
        failed.push({ tinker_path: path, error: why.message });
      }
      ctx.term.progress(
        'Deleting checkpoints',
        deleted + failed.length,
        paths.length,
        `${deleted + failed.length}/${paths.length}`,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, paths.length) }, worker));
  ctx.term.endProgress();
  // Failed in any order (concurrent deletes): listed in the order given, as the rest, the same each run.
  const given = new Map(paths.map((path, index) => [path, index]));
  failed.sort((a, b) => (given.get(a.tinker_path) ?? 0) - (given.get(b.tinker_path) ?? 0));
  ctx.print({
    // Counted in deleted_count, and named: a script that checks what each path's delete did can tell.
    json: {
      deleted_count: deleted,
      earlier_attempt_applied: paths.filter((p) => byEarlierAttempt.has(p)),
      failed,
    },
    title: `Deleted ${deleted} checkpoint(s)${failed.length ? `, failed to delete ${failed.length}` : ''}`,
    columns: ['Checkpoint', 'Result'],
    rows: [
      ...paths
        .filter((p) => !failed.some((f) => f.tinker_path === p))
        .map((p) => [p, byEarlierAttempt.has(p) ? 'deleted (an earlier attempt was applied)' : 'deleted']),
      ...failed.map((f) => [f.tinker_path, `failed: ${f.error}`]),
    ],
  });
  // Unlike `tinker` (exit 0), a partial failure is a failure: scripts must be able to see it.
  return failed.length > 0 ? 1 : 0;
}

/** `tinkex checkpoint delete <path...> | --run-id <id> [--type] [--before] [--after] [-y]`. */
export function registerDelete(checkpoint: Command, action: Action): void {
  checkpoint
    .command('delete')
    .description('Delete checkpoints permanently, after a confirmation (-y skips it)')
    .argument('[tinker_paths...]', 'checkpoint paths', (value: string, previous: string[] = []) => [
      ...previous,
      tinkerPath(value),
    ])
    .option('--run-id <id>', 'delete the checkpoints of this training run (with the filters below)', runId)
    .option('--type <type>', 'only weights (training) or sampler_weights (sampler)', (v) => {
      const type = TYPES[v];
      if (!type) throw new InvalidArgumentError('expected weights or sampler_weights.');
      return type;
    })
    .option('--before <date>', 'only those created before this UTC date (ISO 8601)', isoDate)
    .option('--after <date>', 'only those created after this UTC date (ISO 8601)', isoDate)
    .option('-y, --yes', 'do not ask for confirmation')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  tinkex checkpoint delete tinker://run-id/weights/0001 tinker://run-id/weights/0002\n' +
        '  tinkex checkpoint delete --run-id <run-id> --type weights --before 2024-06-01 -y',
    )
    .action(action((ctx, opts, paths: string[] = []) => remove(ctx, paths, opts)));
}
