import { runQuickstart } from './quickstart.js';

/** `npm start [-- --steps N] [-- --json]` */
export async function main(argv: string[]): Promise<number> {
  const stepsFlag = argv.indexOf('--steps');
  const steps = stepsFlag >= 0 ? Number(argv[stepsFlag + 1]) : 30;
  if (!Number.isInteger(steps) || steps < 1) {
    process.stderr.write('--steps must be a positive integer\n');
    return 2;
  }
  await runQuickstart({ steps, json: argv.includes('--json') });
  return 0;
}
