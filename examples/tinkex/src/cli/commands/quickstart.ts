import type { Command } from 'commander';
import { positiveInt } from '../options.js';
import type { Action } from '../action.js';

/** `tinkex quickstart` (what `npm start -- …` runs): train, save, sample, list and download. */
export function registerQuickstart(program: Command, action: Action): void {
  program
    .command('quickstart')
    .description(
      'Train a LoRA, sample from it, list and download its checkpoint: against the bundled emulator, ' +
        'or the deployment TINKER_BASE_URL (or --base-url) names, with TINKER_API_KEY',
    )
    .option('--steps <n>', 'training steps', positiveInt, 30)
    .option('--json', 'print one JSON summary instead of progress and text')
    .action(
      action(
        async (ctx, opts: { steps: number; json?: boolean }) => {
          ctx.checkApiAddress();
          // No address: the bundled emulator, which needs no key. An address a person gave is the one used,
          // so it needs a key like every other command, and its absence is said before anything is sent.
          const address = Boolean(ctx.options.baseUrl || ctx.io.env.TINKER_BASE_URL);
          ctx.checkApiKey({ required: address });
          // A key but no address: the person probably meant a server, so the emulator is named, on stderr.
          const key = Boolean(
            ctx.options.apiKey || ctx.io.env.TINKER_API_KEY || ctx.io.env.TINKER_CREDENTIAL_CMD,
          );
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
            sayEmulator: key && !address,
            ...(ctx.options.maxRetries !== undefined ? { maxRetries: ctx.options.maxRetries } : {}),
          });
        },
        { cleansUp: true },
      ),
    );
}
