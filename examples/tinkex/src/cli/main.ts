#!/usr/bin/env node
import { runCli } from './program.js';

const code = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
// After Ctrl-C nothing may keep the process alive (a request still retrying); otherwise let output drain.
if (code === 130) process.exit(code);
process.exitCode = code;
