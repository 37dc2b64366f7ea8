#!/usr/bin/env node
import { runCli } from './commands.js';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    // The class name tells scripts and people which failure it was (DownloadTargetError, …).
    process.stderr.write(`tinkex: ${(error as Error).name}: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
