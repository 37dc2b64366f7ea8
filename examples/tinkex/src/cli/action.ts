import type { CliContext } from './context.js';

/** The body of a command: its context, its options, its positional arguments; may return an exit code. */
export type CommandBody = (ctx: CliContext, opts: any, ...args: any[]) => Promise<number | void>;

/**
 * Wraps a command body into a commander action (see runCli in program.ts). With `cleansUp`, Ctrl-C
 * waits for the body to clean up (downloads); otherwise the command stops at once.
 */
export type Action = (
  body: CommandBody,
  how?: { cleansUp?: boolean },
) => (...args: unknown[]) => Promise<void>;
