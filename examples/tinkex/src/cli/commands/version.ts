import type { Command } from 'commander';
import { VERSION } from '../../version.js';
import type { Action } from '../action.js';

/** `tinkex version`: `tinkex X.Y.Z`, or `{"version": …}` with `-f json`. */
export function registerVersion(program: Command, action: Action): void {
  program
    .command('version')
    .description('Show the version')
    .action(
      action(async (ctx) => {
        ctx.io.stdout.write(
          ctx.format === 'json' ? `${JSON.stringify({ version: VERSION })}\n` : `tinkex ${VERSION}\n`,
        );
      }),
    );
}
