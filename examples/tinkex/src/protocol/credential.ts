import { exec, type ExecException } from 'node:child_process';
import { PristineError, Secret, ValidationError } from 'pristine-kernel';
import { expiryMs } from './jwt.js';

/**
 * TINKER_CREDENTIAL_CMD did not give a credential. Its message says how the command ended and never
 * holds its output, which may be a secret. A PristineError, so the pipeline passes it on as it is (it
 * is not a connection failure) and does not retry it.
 */
export class CredentialCommandError extends PristineError {}

/** Runs a shell command and resolves its trimmed stdout; `signal` ends the command. */
export type CommandRunner = (command: string, signal?: AbortSignal) => Promise<string>;

const COMMAND_TIMEOUT_MS = 60_000;

export const runShellCommand: CommandRunner = (command, signal) =>
  new Promise((resolve, reject) => {
    const options = { timeout: COMMAND_TIMEOUT_MS, windowsHide: true, ...(signal ? { signal } : {}) };
    const child = exec(command, options, (error, stdout) => {
      process.off('exit', endWithProcess);
      // Never include stdout or stderr in the error: a credential command may print secrets.
      if (signal?.aborted)
        reject(new CredentialCommandError('TINKER_CREDENTIAL_CMD was ended: the client was closed'));
      else if (error) reject(new CredentialCommandError(`TINKER_CREDENTIAL_CMD ${howItEnded(error)}`));
      else resolve(stdout.trim());
    });
    // A process that ends while the command runs (the CLI exits at once on Ctrl-C or SIGTERM) ends the
    // command too, rather than leaving it orphaned (an SSO helper waiting for a login would wait on).
    const endWithProcess = () => child.kill();
    process.on('exit', endWithProcess);
  });

function howItEnded(error: ExecException): string {
  if (error.killed && error.signal === 'SIGTERM')
    return `did not finish within ${COMMAND_TIMEOUT_MS / 1000} s`;
  if (error.signal) return `was killed by ${error.signal}`;
  if (error.code === 127) return 'failed (exit code 127: command not found)';
  return `failed (exit code ${error.code ?? 'unknown'})`;
}

/**
 * The credential sent to `client/config` and `auth/token` (and everywhere when JWT exchange is off):
 * the API key, or the output of `TINKER_CREDENTIAL_CMD`. A command's JWT output is reused until a
 * minute before its `exp`; anything else the command prints is fetched anew each time it is needed.
 */
export class CredentialSource {
  private cached?: { value: Secret; expiresAt?: number };
  private running?: Promise<string>;
  /** Ends a command still running when the client closes (an SSO helper would wait on for a login). */
  private readonly closing = new AbortController();

  constructor(
    private readonly apiKey: Secret | undefined,
    private readonly command: string | undefined,
    private readonly now: () => number,
    private readonly run: CommandRunner = runShellCommand,
    private readonly onSecret: (value: string) => void = () => {},
  ) {}

  /**
   * The credential when it is at hand without waiting (the API key, or a command's JWT still fresh),
   * else undefined: then `get` runs the command, or rejects with its error.
   */
  peek(preferCommand = false): string | undefined {
    const useCommand = this.command !== undefined && (preferCommand || this.apiKey === undefined);
    if (!useCommand) return this.apiKey?.reveal();
    const cached = this.cached;
    if (cached?.expiresAt !== undefined && this.now() < cached.expiresAt - 60_000)
      return cached.value.reveal();
    return undefined;
  }

  /** `credential_default_source: "credential_cmd"` asks for the command even when a key is set. */
  async get(preferCommand = false): Promise<string> {
    const useCommand = this.command !== undefined && (preferCommand || this.apiKey === undefined);
    if (!useCommand) {
      if (!this.apiKey)
        throw ValidationError.field(
          'ServiceClient options',
          '/api_key',
          'required',
          'no API key or TINKER_CREDENTIAL_CMD',
        );
      return this.apiKey.reveal();
    }
    const cached = this.cached;
    if (cached?.expiresAt !== undefined && this.now() < cached.expiresAt - 60_000)
      return cached.value.reveal();
    this.running ??= this.runCommand().finally(() => (this.running = undefined));
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

  private async runCommand(): Promise<string> {
    const value = await this.run(this.command!, this.closing.signal);
    if (!value) throw new CredentialCommandError('TINKER_CREDENTIAL_CMD printed nothing');
    // A status line before the key ("Fetching token…") would otherwise reach the header check, whose
    // error names neither the command nor the fix. The count only: the lines may hold the secret.
    const lines = value.split(/\r\n|\r|\n/).length;
    if (lines > 1)
      throw new CredentialCommandError(
        `TINKER_CREDENTIAL_CMD printed ${lines} lines; it must print the credential alone (anything ` +
          'else goes to stderr)',
      );
    this.onSecret(value);
    this.cached = { value: new Secret(value), expiresAt: expiryMs(value) };
    return value;
  }
}
