import type { Command } from 'commander';
import { VERSION } from '../../version.js';
import type { Action } from '../action.js';
import { jsonDocument } from '../output.js';

/**
 * `tinkex version`: `tinkex X.Y.Z`, or `{"version": …}` with `-f json`, indented as every command's JSON
 * (`tinker` prints its text line whatever the format; a script asking for JSON gets JSON here).
 */
export function registerVersion(program: Command, action: Action): void {
  program
    .command('version')
    .description('Show the version')
    .action(
      action(async (ctx) => {
        ctx.io.stdout.write(
          ctx.format === 'json' ? jsonDocument({ version: VERSION }) : `tinkex ${VERSION}\n`,
        );
      }),
    );
}
