#!/usr/bin/env node
import { runCli } from './program.js';
import { STOP_EXIT_CODES } from './errors.js';

// `tinkex run list | head` closes the pipe early: that is the reader's choice, not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

// A closed stderr (`2>&1 | head`, `2> >(head -1)`) only loses the diagnostics: the command goes on and its
// result still reaches stdout. Unhandled, the next log line was an uncaught EPIPE (exit 1, nothing shown).
process.stderr.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
});

const code = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
// After Ctrl-C or SIGTERM nothing may keep the process alive (a request still retrying); otherwise let
// output drain.
if (code === STOP_EXIT_CODES.SIGINT || code === STOP_EXIT_CODES.SIGTERM) process.exit(code);
process.exitCode = code;
