import { createInterface } from 'node:readline';
import { headerValueProblem, visibleControls } from 'pristine-kernel';
import { apiKeyProblem } from '../api-key-format.js';
import type { RestClient } from '../client/rest-client.js';
import type { ServiceClient } from '../client/service-client.js';
import { PROXY_VARS } from '../proxy-vars.js';
import type { ApiSetup } from './describe-error.js';
import { CliError, UsageError } from './errors.js';
import { firstSays } from './first-says.js';
import { apiAddressProblem } from './options.js';
import { render, type Output, type OutputFormat } from './output.js';
import { terminal, type Terminal } from './terminal.js';

/** Where the CLI reads and writes; tests and the entry point pass the process's own. */
export interface CliIo {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
}

/** The global options every command accepts (before or after the command name). */
export interface GlobalOptions {
  format: OutputFormat;
  apiKey?: string;
  baseUrl?: string;
  maxRetries?: number;
}

/**
 * What a command needs: the output format, a REST client built only when the command runs (so
 * `--help` and usage errors never ask for an API key), the streams, and a signal that Ctrl-C aborts.
 */
export class CliContext {
  private service?: ServiceClient;
  private serviceView?: ServiceClient;
  readonly term: Terminal;
  /**
   * The streams, each write saying the retry log's pending counts first: a command's answer, note or
   * error comes after them, never above the last count ("7 other retries of delete_checkpoint …" printed
   * under the result table when the client closed). Log lines and progress bars (`term`) write to the
   * streams as given: a log line saying the counts would end the retry log's windows at every line.
   */
  readonly io: CliIo;

  constructor(
    io: CliIo,
    readonly options: GlobalOptions,
    readonly signal: AbortSignal,
  ) {
    const sayCounts = () => this.sayRetryCounts();
    this.io = { ...io, stdout: firstSays(io.stdout, sayCounts), stderr: firstSays(io.stderr, sayCounts) };
    const term = terminal(io.stderr, io.env);
    // As `tinker`, whose bars are hidden unless the format is `table`: JSON output is for scripts, and
    // their stderr keeps errors and log lines only (`… -f json 2>&1 | jq`).
    this.term = options.format === 'json' ? { ...term, progress() {}, endProgress() {} } : term;
  }

  get format(): OutputFormat {
    return this.options.format;
  }

  /**
   * The ServiceClient of this invocation: --api-key/--base-url over TINKER_API_KEY/TINKER_BASE_URL, and
   * --max-retries as `max_retries`. It is a view carrying the Ctrl-C signal (`withOptions`), as are the
   * clients it creates (REST, sampling): every call a command makes stops on Ctrl-C, none can forget to.
   */
  async client(): Promise<ServiceClient> {
    this.checkApiAddress();
    this.checkApiKey({ required: true });
    // Imported here, not at the top: --help and usage errors never load the SDK (a faster start).
    const { ServiceClient } = await import('../client/service-client.js');
    const { useCliLogger } = await import('./cli-logger.js');
    this.service ??= new ServiceClient({
      env: this.io.env,
      configureKernel: (kernel) => useCliLogger(kernel, this.io.env, this.term),
      ...(this.options.apiKey !== undefined ? { api_key: this.options.apiKey } : {}),
      ...(this.options.baseUrl !== undefined ? { base_url: this.options.baseUrl } : {}),
      ...(this.options.maxRetries !== undefined ? { max_retries: this.options.maxRetries } : {}),
    });
    this.serviceView ??= this.service.withOptions({ signal: this.signal });
    return this.serviceView;
  }

  /**
   * A bad --base-url is a usage error (exit 2), a bad TINKER_BASE_URL names the variable; both before
   * the SDK loads. The client would refuse them too, worded for programs ("ServiceClient options").
   * Commands that build their client themselves (quickstart) call it first.
   */
  checkApiAddress(): void {
    const { baseUrl } = this.options;
    if (baseUrl !== undefined) {
      const problem = apiAddressProblem(baseUrl);
      if (problem) throw new UsageError(`--base-url ${problem}`);
      return;
    }
    const fromEnv = this.io.env.TINKER_BASE_URL;
    const problem = fromEnv ? apiAddressProblem(fromEnv) : undefined;
    if (problem)
      throw new CliError(
        'TINKER_BASE_URL is not an API address',
        `It ${problem}. Set it to the Tinker API's address, or pass --base-url.`,
      );
  }

  /**
   * A malformed --api-key is a usage error (exit 2), a malformed TINKER_API_KEY names the variable, and
   * a missing credential (when `required`) names the three ways to give one; all before the SDK loads,
   * worded for the CLI's settings rather than the client's options. The key itself is never shown.
   */
  checkApiKey({ required }: { required: boolean }): void {
    const { apiKey } = this.options;
    if (apiKey !== undefined && apiKey !== '') {
      const problem = keyProblem(apiKey);
      if (problem) throw new UsageError(`--api-key ${problem}`);
      return;
    }
    const fromEnv = this.io.env.TINKER_API_KEY;
    if (fromEnv) {
      const problem = keyProblem(fromEnv);
      if (problem)
        throw new CliError(
          'TINKER_API_KEY is not an API key',
          `It ${problem}. Set it to your Tinker API key, or pass --api-key.`,
        );
      return;
    }
    if (required && !this.io.env.TINKER_CREDENTIAL_CMD)
      throw new CliError(
        'No API key',
        'Give one with --api-key, TINKER_API_KEY or TINKER_CREDENTIAL_CMD (a command that prints one).',
      );
  }

  /**
   * The Tinker API's `scheme://host:port` and where the credential comes from, once a command built its
   * client (for error messages). The client refuses a base URL that does not parse, so this cannot throw.
   */
  apiSetup(): ApiSetup {
    if (!this.service) return {};
    const { base_url, api_key, credential_cmd } = this.service.config;
    const credential = api_key && credential_cmd ? 'both' : credential_cmd ? 'credential_cmd' : 'api_key';
    // The proxy settings in effect, by name, for a proxy failure's hint (TINKEX_PROXY wins over the rest).
    const env = this.io.env;
    const proxyNames = env.TINKEX_PROXY ? ['TINKEX_PROXY'] : PROXY_VARS.filter((name) => env[name]);
    return {
      origin: new URL(base_url).origin,
      baseUrl: base_url,
      credential,
      proxySettings: proxyNames.join(', ') || undefined,
    };
  }

  async rest(): Promise<RestClient> {
    return (await this.client()).createRestClient();
  }

  print(output: Output): void {
    const { isTTY, columns } = this.io.stdout;
    // A terminal's tables fit its width; piped, a row stays on one line (for grep and cut).
    this.io.stdout.write(
      render(output, this.format, Boolean(isTTY) && this.term.color, isTTY ? columns : undefined),
    );
  }

  /**
   * What a command that changes one thing did: `line` for people (table format), `json` as the JSON
   * format's one object on stdout, so a script piping it to `jq` gets a record, not empty input.
   */
  done(line: string, json: unknown): void {
    if (this.format === 'json') this.print({ json, columns: [], rows: [] });
    else this.say(line);
  }

  /** A line for people on stdout (table format only). */
  say(line: string): void {
    if (this.format === 'table') this.io.stdout.write(`${visibleControls(line)}\n`);
  }

  /** The retry log's counts still unsaid, said now (before any write to `io`, see there). */
  private sayRetryCounts(): void {
    this.service?.kernel.getServices().retryLog.sayNow();
  }

  /** A note on stderr: progress and status never mix with the output a script parses. */
  note(line: string): void {
    this.io.stderr.write(`${visibleControls(line)}\n`);
  }

  /** Ask a yes/no question on the terminal; anything but y/yes is no. Without a terminal, refuse. */
  async confirm(question: string): Promise<boolean> {
    if (!this.io.stdin.isTTY)
      throw new CliError(
        'Confirmation needed, but standard input is not a terminal',
        'Pass -y/--yes to skip it.',
      );
    const rl = createInterface({ input: this.io.stdin, output: this.io.stderr });
    try {
      const answer = await new Promise<string>((resolve, reject) => {
        rl.question(`${question} [y/N] `, { signal: this.signal }, resolve);
        // The question puts the terminal in raw mode, so Ctrl-C arrives as a keystroke, and readline
        // would close the question, which read as "no" (exit 0). Hand it on as the signal it would have
        // been: the command is interrupted (exit 130), as anywhere else.
        rl.once('SIGINT', () => process.emit('SIGINT', 'SIGINT'));
        rl.once('close', () => resolve(''));
        this.signal.addEventListener('abort', () => reject(this.signal.reason), { once: true });
      });
      return /^y(es)?$/i.test(answer.trim());
    } finally {
      rl.close();
    }
  }

  async close(): Promise<void> {
    await this.service?.close();
  }
}

/**
 * The prefix rule, then the rule of a header value (a key read from a CRLF file ends in `\r`): both
 * worded for the setting here, else the second came from the SDK as its ServiceClient-environment
 * ValidationError, exit 1 even for --api-key. Names the character and its index, never the key.
 */
function keyProblem(key: string): string | undefined {
  return apiKeyProblem(key) ?? headerValueProblem(key);
}
