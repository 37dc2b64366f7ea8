import type { StageHooks } from '../../src/kernel/pipeline/context.js';

/**
 * Hooks that log what they see (`fulfilled <name> <body>`, `rejected <name> <message>`) and tag the
 * result's body or the error's message with `<name`, so a test reads the order hooks ran in from either.
 */
export function taggingHooks(name: string, log: string[]): StageHooks {
  return {
    fulfilled: (_c, result) => {
      log.push(`fulfilled ${name} ${String(result.body)}`);
      return { ...result, body: `${String(result.body)}<${name}` };
    },
    rejected: (_c, error) => {
      log.push(`rejected ${name} ${(error as Error).message}`);
      return new Error(`${(error as Error).message}<${name}`);
    },
  };
}
