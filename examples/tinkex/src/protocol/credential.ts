import { spawn, spawnSync } from 'node:child_process';
import { isatty } from 'node:tty';
import { PristineError, Secret, ValidationError } from 'pristine-kernel';
import {
  ExpiredCredentialError,
  expiredAt,
  type CommandOrigin,
  type CredentialSourceName,
} from './expired-credential.js';
import { expiryMs, looksLikeJwt } from './jwt.js';

/**
 * The credential command (`credential_cmd` or TINKER_CREDENTIAL_CMD) did not give a credential. Its
 * message says how the command ended and never holds its output, which may be a secret. A PristineError, so the pipeline passes it on as it is (it
 * is not a connection failure) and does not retry it.
 */
export class CredentialCommandError extends PristineError {}

/**
 * Runs a shell command and resolves its trimmed stdout; `signal` ends the command. `origin` is the
 * setting the command came from, which its errors name (default TINKER_CREDENTIAL_CMD).
 */
export type CommandRunner = (
  command: string,
  signal?: AbortSignal,
  origin?: CommandOrigin,
) => Promise<string>;

const COMMAND_TIMEOUT_MS = 60_000;

/** A command still running this long is said (at info), so a wait for a login does not look hung. */
const SLOW_COMMAND_MS = 5_000;

/** How a CredentialSource says that its command is taking long: a timer and a log line (info). */
export interface SlowCommandNotice {
  after(ms: number, fn: () => void): () => void;
  say(message: string): void;
}

/** POSIX: the command leads a process group of its own, so what it starts can be ended with it. */
const OWN_GROUP = process.platform !== 'win32';

/** Whether a person is at a terminal: this process's stdin and stderr are one (POSIX). */
const atTerminal = () => OWN_GROUP && isatty(0) && isatty(2);

/**
 * The terminal's settings (`stty -g`), to put back after a command that was ended while it had changed
 * them (echo off for a password), or undefined when they cannot be read.
 */
function terminalSettings(): string | undefined {
  const saved = spawnSync('stty', ['-g'], { stdio: ['inherit', 'pipe', 'ignore'] });
  return saved.status === 0 ? saved.stdout.toString().trim() || undefined : undefined;
}

/**
 * Runs commands through the shell, as the Python SDK runs TINKER_CREDENTIAL_CMD, each in a process
 * group of its own (POSIX). That group is a session of its own (Node's `detached` is setsid), so the
 * command has no controlling terminal (`/dev/tty` cannot be opened); so that it can still prompt, a
 * command run while a person is at a terminal (`terminal`, default: stdin and stderr are TTYs) gets that
 * terminal as its stdin and stderr, and the terminal's settings are put back once it ends (one ended
 * mid-prompt would leave echo off). Elsewhere its stdin is empty and its stderr is discarded.
 * Once the command has exited, its group is ended: a process it left in the background (`helper &`)
 * would otherwise hold its stdout open, and the client, waiting for that pipe to close, would wait as
 * long as it runs (and the CLI would not exit). On timeout, abort or the process's
 * exit the whole group is ended, not only the shell. A helper meant to outlive the command detaches
 * itself (`setsid`, `nohup … >/dev/null &` in a group of its own) and is left alone. On Windows the
 * command alone is ended, as before.
 */
export function shellCommandRunner(options: { timeoutMs?: number; terminal?: boolean } = {}): CommandRunner {
  const timeoutMs = options.timeoutMs ?? COMMAND_TIMEOUT_MS;
  return (command, signal, origin = 'TINKER_CREDENTIAL_CMD') =>
    new Promise((resolve, reject) => {
      const terminal = options.terminal ?? atTerminal();
      const settings = terminal ? terminalSettings() : undefined;
      const restoreTerminal = () => {
        if (settings) spawnSync('stty', [settings], { stdio: ['inherit', 'ignore', 'ignore'] });
      };
      // Node's own timeout and signal end the shell (SIGTERM); its 'exit' below ends the rest of the group.
      const child = spawn(command, {
        shell: true,
        detached: OWN_GROUP,
        windowsHide: true,
        // stderr: the terminal's, else dropped (never in an error: it may hold a secret; and unread, a full
        // pipe would block the command). One tuple, so the types know stdout is a pipe.
        stdio: [terminal ? 'inherit' : 'ignore', 'pipe', terminal ? 'inherit' : 'ignore'],
        timeout: timeoutMs,
        ...(signal ? { signal } : {}),
      });
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      const endGroup = () => {
        try {
          if (OWN_GROUP && child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
          else child.kill();
        } catch {
          // The group has ended already.
        }
      };
      // A process that ends while the command runs (the CLI exits at once on Ctrl-C or SIGTERM) ends the
      // command too, rather than leaving it orphaned (an SSO helper waiting for a login would wait on).
      const onProcessExit = () => {
        endGroup();
        restoreTerminal();
      };
      process.on('exit', onProcessExit);
      let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
      // The command exited (or was ended): end what it left behind, so its pipes close and 'close' follows.
      child.on('exit', (code, exitSignal) => {
        exit = { code, signal: exitSignal };
        endGroup();
      });
      let spawnError: Error | undefined;
      // An abort is reported as an 'error' too; the answer waits for 'close' (the group has ended then).
      child.on('error', (error) => {
        spawnError = error;
        if (child.pid === undefined) settle();
      });
      child.on('close', (code, closeSignal) => {
        exit ??= { code, signal: closeSignal };
        settle();
      });
      let settled = false;
      function settle() {
        if (settled) return;
        settled = true;
        process.off('exit', onProcessExit);
        restoreTerminal();
        // Never include stdout or stderr in the error: a credential command may print secrets.
        if (signal?.aborted) reject(new CredentialCommandError(`${origin} was ended: the client was closed`));
        else if (child.killed && exit?.signal === 'SIGTERM')
          reject(new CredentialCommandError(`${origin} did not finish within ${timeoutMs / 1000} s`));
        else if (spawnError) reject(new CredentialCommandError(`${origin} could not be started`));
        else if (exit?.signal) reject(new CredentialCommandError(`${origin} was killed by ${exit.signal}`));
        else if (exit?.code) reject(new CredentialCommandError(`${origin} ${failed(exit.code)}`));
        else resolve(stdout.trim());
      }
    });
}

export const runShellCommand: CommandRunner = shellCommandRunner();

function failed(code: number): string {
  if (code === 127) return 'failed (exit code 127: command not found)';
  return `failed (exit code ${code})`;
}

/**
 * The credential sent to `client/config` and `auth/token` (and everywhere when JWT exchange is off):
 * the API key, or the output of `TINKER_CREDENTIAL_CMD`. A command's JWT output is reused until a
 * minute before its `exp`; anything else the command prints is fetched anew each time it is needed.
 * A JWT whose `exp` has passed is never sent (the server would refuse it): an expired key fails the
 * call with an ExpiredCredentialError naming `keyOrigin`; a command printing one is run once more.
 */
export class CredentialSource {
  private cached?: { value: Secret; expiresAt?: number };
  /** The API key's `exp` in ms when it is a JWT that has one: read once, checked on each request. */
  private readonly keyExpiresAt?: number;
  private running?: Promise<string>;
  /** Ends a command still running when the client closes (an SSO helper would wait on for a login). */
  private readonly closing = new AbortController();

  constructor(
    private readonly apiKey: Secret | undefined,
    private readonly command: string | undefined,
    private readonly now: () => number,
    private readonly run: CommandRunner = runShellCommand,
    private readonly onSecret: (value: string) => void = () => {},
    private readonly slow?: SlowCommandNotice,
    /** Where the API key came from, named when it has expired (never the key itself). */
    private readonly keyOrigin: CredentialSourceName = 'api_key',
    /** Where the command came from, named by its errors (never its output). */
    private readonly commandOrigin: CommandOrigin = 'TINKER_CREDENTIAL_CMD',
  ) {
    const key = apiKey?.reveal();
    this.keyExpiresAt = key !== undefined && looksLikeJwt(key) ? expiryMs(key) : undefined;
  }

  /** When the API key expired, if it is a JWT whose `exp` has passed; else undefined. */
  private keyExpiredAt(): number | undefined {
    const expiresAt = this.keyExpiresAt;
    return expiresAt !== undefined && this.now() >= expiresAt ? expiresAt : undefined;
  }

  /** The API key, unless it is a JWT that has expired (then undefined). */
  private liveKey(): string | undefined {
    return this.keyExpiredAt() === undefined ? this.apiKey?.reveal() : undefined;
  }

  /**
   * The credential when it is at hand without waiting (the API key, or a command's JWT still fresh),
   * else undefined: then `get` runs the command, or rejects with its error.
   */
  peek(preferCommand = false): string | undefined {
    const useCommand = this.command !== undefined && (preferCommand || this.apiKey === undefined);
    if (!useCommand) return this.liveKey();
    const cached = this.cached;
    if (cached?.expiresAt !== undefined && this.now() < cached.expiresAt - 60_000)
      return cached.value.reveal();
    return undefined;
  }

  /** `credential_default_source: "credential_cmd"` asks for the command even when a key is set. */
  async get(preferCommand = false): Promise<string> {
    const command = this.command;
    const useCommand = command !== undefined && (preferCommand || this.apiKey === undefined);
    if (!useCommand) {
      if (!this.apiKey)
        throw ValidationError.field(
          'ServiceClient options',
          '/api_key',
          'required',
          'no API key or TINKER_CREDENTIAL_CMD',
        );
      const expiredAt = this.keyExpiredAt();
      if (expiredAt !== undefined)
        throw new ExpiredCredentialError(this.keyOrigin, new Date(expiredAt).toISOString());
      return this.apiKey.reveal();
    }
    const cached = this.cached;
    if (cached?.expiresAt !== undefined && this.now() < cached.expiresAt - 60_000)
      return cached.value.reveal();
    this.running ??= this.runCommand(command).finally(() => (this.running = undefined));
    return this.running;
  }

  /**
   * The server refused `sent`: a command's output is fetched anew by the next `get` (true, also when a
   * newer one is already cached); the API key cannot be renewed (false).
   */
  renew(sent: string): boolean {
    if (this.command === undefined || sent === this.apiKey?.reveal()) return false;
    if (this.cached?.value.reveal() === sent) this.cached = undefined;
    return true;
  }

  /** The client closed: a running command is ended, and none is started again. */
  close(): void {
    this.closing.abort();
  }

  private async runCommand(command: string): Promise<string> {
    let value = await this.runOnce(command);
    // An expired JWT may be a stale cache the command renews when asked again: once, never in a loop.
    if (expiredAt(value, this.now()) !== undefined) value = await this.runOnce(command);
    const expired = expiredAt(value, this.now());
    if (expired !== undefined) throw new ExpiredCredentialError(this.commandOrigin, expired);
    this.cached = { value: new Secret(value), expiresAt: expiryMs(value) };
    return value;
  }

  /** Runs the command once: its one line of output (a secret of the kernel from now on). */
  private async runOnce(command: string): Promise<string> {
    const slow = this.slow;
    const cancel = slow?.after(SLOW_COMMAND_MS, () =>
      slow.say(
        `still waiting for ${this.commandOrigin} to print a credential (ended after ${COMMAND_TIMEOUT_MS / 1000} s): ` +
          'if it asks you to log in, in a browser or on this terminal, do so',
      ),
    );
    const value = await this.run(command, this.closing.signal, this.commandOrigin).finally(() => cancel?.());
    if (!value) throw new CredentialCommandError(`${this.commandOrigin} printed nothing`);
    // A status line before the key ("Fetching token…") would otherwise reach the header check, whose
    // error names neither the command nor the fix. The count only: the lines may hold the secret.
    const lines = value.split(/\r\n|\r|\n/).length;
    if (lines > 1)
      throw new CredentialCommandError(
        `${this.commandOrigin} printed ${lines} lines; it must print the credential alone (anything ` +
          'else goes to stderr)',
      );
    this.onSecret(value);
    return value;
  }
}
