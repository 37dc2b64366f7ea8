import { exec } from 'node:child_process';
import { Secret, ValidationError } from 'pristine-kernel';
import { expiryMs } from './jwt.js';

/** Runs a shell command and resolves its trimmed stdout. */
export type CommandRunner = (command: string) => Promise<string>;

export const runShellCommand: CommandRunner = (command) =>
  new Promise((resolve, reject) => {
    exec(command, { timeout: 60_000, windowsHide: true }, (error, stdout) => {
      // Never include stdout or stderr in the error: a credential command may print secrets.
      if (error) reject(new Error(`TINKER_CREDENTIAL_CMD failed (exit code ${error.code ?? 'unknown'})`));
      else resolve(stdout.trim());
    });
  });

/**
 * The credential sent to `client/config` and `auth/token` (and everywhere when JWT exchange is off):
 * the API key, or the output of `TINKER_CREDENTIAL_CMD`. A command's JWT output is reused until a
 * minute before its `exp`; anything else the command prints is fetched anew each time it is needed.
 */
export class CredentialSource {
  private cached?: { value: Secret; expiresAt?: number };
  private running?: Promise<string>;

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

  private async runCommand(): Promise<string> {
    const value = await this.run(this.command!);
    if (!value) throw new Error('TINKER_CREDENTIAL_CMD printed nothing');
    this.onSecret(value);
    this.cached = { value: new Secret(value), expiresAt: expiryMs(value) };
    return value;
  }
}
