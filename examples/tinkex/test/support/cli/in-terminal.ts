import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { BIN } from './run-cli.js';

const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;

/**
 * Run the CLI in a real pseudo-terminal (util-linux `script`), as a person does: stdin, stdout and
 * stderr are a TTY. `answer` is typed once `when` appears on the screen (by default the [y/N] prompt);
 * Ctrl-C is typed as "\u0003", which the terminal turns into SIGINT for the CLI. `after` is a shell
 * command run in the same terminal once the CLI has exited (e.g. `stty -a`, to see the terminal's
 * state); the exit code is then the CLI's, passed through. `columns` sets the terminal's width.
 */
export function inTerminal(
  args: string[],
  env: Record<string, string>,
  answer?: string,
  when = '[y/N]',
  after?: string,
  columns?: number,
) {
  const cli = [process.execPath, BIN, ...args].map(quote).join(' ');
  // Ctrl-C reaches the wrapping shell too: it traps it (a handler, reset for the CLI by exec) to run `after`.
  const run = after ? `trap : INT; ${cli}; code=$?; ${after}; exit $code` : cli;
  // `script` gives the terminal the size of its own (none under a test runner): set the width asked for.
  const command = columns ? `stty cols ${columns} rows 24; ${run}` : run;
  const child = spawn('script', ['-qefc', command, '/dev/null'], {
    cwd: tmpdir(),
    env: { PATH: process.env.PATH ?? '', TERM: 'xterm', TINKER_TELEMETRY: '0', TINKER_LOG: 'off', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  let answered = false;
  // Decoded as a stream: a character split across two chunks (box drawing, bars) stays whole.
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    screen += d;
    if (answer !== undefined && !answered && screen.includes(when)) {
      answered = true;
      child.stdin.write(answer);
    }
  });
  if (answer === undefined) child.stdin.end();
  return new Promise<{ code: number | null; screen: string }>((resolve) =>
    child.on('close', (code) => {
      child.stdin.destroy();
      resolve({ code, screen });
    }),
  );
}
