#!/usr/bin/env node
import { runCli } from './commands.js';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`tinkex: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
