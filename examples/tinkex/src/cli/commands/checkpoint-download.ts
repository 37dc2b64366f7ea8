import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { InterruptedError } from '../errors.js';
import { tinkerPath } from '../options.js';
import { formatSize, propertyTable } from '../output.js';
import type { Action } from '../action.js';

/**
 * As `tinker checkpoint download`: the checkpoint gets its own folder `<run>_<weights|sampler_weights>_<name>`
 * in `--output` (default: the current directory) and `--force` replaces only that folder. Ctrl-C aborts
 * the download, which removes its staging folder before the process exits 130.
 */
async function download(ctx: CliContext, path: string, opts: { output?: string; force?: boolean }) {
  let bytes = 0;
  try {
    const { downloadCheckpoint } = await import('../../download/checkpoint-download.js');
    const result = await downloadCheckpoint(await ctx.rest(), path, {
      output_dir: opts.output ?? process.cwd(),
      force: opts.force ?? false,
      signal: ctx.signal,
      onProgress: (p) => {
        bytes = p.downloadedBytes;
        ctx.term.progress(
          'Downloading archive',
          p.downloadedBytes,
          p.totalBytes,
          formatSize(p.downloadedBytes),
        );
      },
    }).finally(() => ctx.term.endProgress());
    ctx.print(
      propertyTable(`Checkpoint Download: ${path}`, { ...result, file_size_bytes: bytes }, [
        ['Checkpoint Path', result.checkpoint_path],
        ['Archive Size', formatSize(bytes)],
        ['Extracted to', result.destination],
        ['Files', result.files.join('\n')],
      ]),
    );
  } catch (error) {
    if (ctx.signal.aborted) throw new InterruptedError('download interrupted; nothing was left behind');
    throw error;
  }
}

export function registerDownload(checkpoint: Command, action: Action): void {
  checkpoint
    .command('download')
    .description('Download and extract a checkpoint into <output>/<run>_<type>_<name>')
    .argument('<tinker_path>', 'checkpoint path', tinkerPath)
    .option('-o, --output <dir>', 'parent directory of the checkpoint folder (default: current directory)')
    .option('--force', 'replace that checkpoint folder if it exists (nothing else)')
    .action(action((ctx, opts, path: string) => download(ctx, path, opts), { cleansUp: true }));
}
