#!/usr/bin/env node
import { runEmulatorCli } from './cli.js';

runEmulatorCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`tinker-emulator: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
