import type { Command } from 'commander';
import { positiveInt } from '../options.js';
import type { Action } from '../action.js';

/** `tinkex quickstart` (what `npm start -- …` runs): train, save, sample, list and download. */
export function registerQuickstart(program: Command, action: Action): void {
  program
    .command('quickstart')
    .description(
      'Train a LoRA, sample from it, list and download its checkpoint: against the bundled emulator, ' +
        'or a real deployment when TINKER_BASE_URL and TINKER_API_KEY are set',
    )
    .option('--steps <n>', 'training steps', positiveInt, 30)
    .option('--json', 'print one JSON summary instead of progress and text')
    .action(
      action(
        async (ctx, opts: { steps: number; json?: boolean }) => {
          ctx.checkApiAddress();
          // No key is fine here: the quickstart then runs against the bundled emulator.
          ctx.checkApiKey({ required: false });
          const { runQuickstart } = await import('../../demo/quickstart.js');
          await runQuickstart({
            steps: opts.steps,
            json: opts.json ?? ctx.format === 'json',
            env: {
              ...ctx.io.env,
              ...(ctx.options.apiKey ? { TINKER_API_KEY: ctx.options.apiKey } : {}),
              ...(ctx.options.baseUrl ? { TINKER_BASE_URL: ctx.options.baseUrl } : {}),
            },
            stdout: ctx.io.stdout,
            stderr: ctx.io.stderr,
            terminal: ctx.term,
            signal: ctx.signal,
            ...(ctx.options.maxRetries !== undefined ? { maxRetries: ctx.options.maxRetries } : {}),
          });
        },
        { cleansUp: true },
      ),
    );
}
