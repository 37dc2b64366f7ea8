import { JsonLogger, Ports, textLine } from 'pristine-kernel';
import type { TinkerKernel } from '../client/tinker-kernel.js';
import type { Terminal } from './terminal.js';

/**
 * The logger of the commands people run: text lines on stderr, not JSON, at info by default, so a
 * retry says at once why the command waits (a dead server otherwise meant a minute of silence before
 * the error). TINKER_LOG changes the level; secrets are masked as everywhere else.
 */
export function useCliLogger(kernel: TinkerKernel, env: NodeJS.ProcessEnv, term: Terminal): void {
  kernel.register(
    Ports.Logger,
    new JsonLogger({
      level: 'info',
      envVar: 'TINKER_LOG',
      env,
      secrets: kernel.secrets,
      logHeaders: true,
      // Through the terminal: a retry line during a progress bar goes above the bar, not onto its line.
      write: (line) => term.line(line),
      format: textLine('tinkex'),
    }),
  );
}
