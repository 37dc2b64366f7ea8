import type { RestClient } from '../client/rest-client.js';
import { downloadCheckpoint } from '../download/checkpoint-download.js';
import { terminal } from './terminal.js';

/**
 * `tinkex checkpoint download <tinker_path> [--output|-o <dir>] [--force]`. As `tinker checkpoint
 * download`: the checkpoint gets its own folder in `<dir>` (default: the current directory) and `--force`
 * replaces only that folder. Returns the exit code: 0, 2 for a usage error, 130 when interrupted.
 */
export async function downloadCommand(
  rest: RestClient,
  tinker_path: string,
  argv: string[],
  print: (value: unknown) => void,
): Promise<number> {
  const at = Math.max(argv.indexOf('--output'), argv.indexOf('-o'));
  const output = at >= 0 ? (argv[at + 1] ?? '') : undefined;
  if (output !== undefined && (output === '' || output.startsWith('-'))) {
    process.stderr.write('tinkex: --output needs a directory\n');
    return 2;
  }
  const result = await interruptible((signal) => {
    const term = terminal();
    return downloadCheckpoint(rest, tinker_path, {
      output_dir: output ?? process.cwd(),
      force: argv.includes('--force'),
      signal,
      onProgress: (p) =>
        term.progress(
          'download',
          p.downloadedBytes,
          p.totalBytes,
          `${(p.downloadedBytes / 1024).toFixed(0)} KiB`,
        ),
    }).finally(() => term.endProgress());
  });
  if (result === 'interrupted') {
    process.stderr.write('tinkex: download interrupted; nothing was left behind\n');
    return 130;
  }
  print(result);
  return 0;
}

/**
 * Run `work` with a signal that Ctrl-C (SIGINT) or SIGTERM aborts, so the operation can clean up (the
 * download removes its staging folder) instead of the process dying mid-way.
 */
async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T | 'interrupted'> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await work(controller.signal);
  } catch (error) {
    if (controller.signal.aborted) return 'interrupted';
    throw error;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
