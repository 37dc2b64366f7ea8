#!/usr/bin/env node
import { EmulatorUsageError, runEmulatorCli } from './cli.js';

runEmulatorCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    const usage = error instanceof EmulatorUsageError;
    const hint = usage ? ' (see tinker-emulator --help)' : '';
    process.stderr.write(`tinker-emulator: ${(error as Error).message}${hint}\n`);
    process.exitCode = usage ? 2 : 1;
  },
);
