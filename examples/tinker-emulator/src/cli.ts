import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseAccounts } from './accounts-flag.js';
import { chaosOrEnv, parseChaos } from './chaos.js';
import { startEmulator } from './emulator.js';
import { MAX_SEED } from './model/prng.js';
import { MAX_TIMER_MS } from './timers.js';
import { responseCodings } from './response-compression.js';
import { CLIENT_CONFIG_DEFAULTS, DYNAMIC_CONFIG_DEFAULTS, parseFlags } from './protocol/client-config.js';

export const USAGE = `Usage: tinker-emulator [options]   (also: tinkex emulator [options])

  -h, --help                 this text
  -V, --version              the package's version
  --port N                   port to listen on (0 picks a free one; default 0)
  --host HOST                interface (default 127.0.0.1)
  --seed N                   seed of the model, sampling and chaos, 0 to 4294967295 (default 0)
  --chaos SPEC               fault injection, e.g. '5xx=0.1;scope=training' (docs/emulator.md)
  --flag NAME=VALUE          a client/config flag, repeatable (--flag pjwt_auth_enabled=true)
  --dynamic-flag NAME=VALUE  a client/dynamic_config value (--dynamic-flag refresh_interval_sec=10)
  --legacy-json              act as a server that predates client/config (404 there, JSON only)
  --long-poll-ms N           how long retrieve_future holds a pending poll (default 1000; 0: at once)
  --jwt-ttl SECONDS          lifetime of the JWTs auth/token issues, at least 1 (default 3600; the
                             official client wants more than 300: shorter ones test refreshes)
  --request-log-mib N        request bodies the request log keeps, oldest dropped (default 64)
  --account KEY=NAME         the API key KEY is account NAME, repeatable; other keys share one
                             account; another account's private checkpoint is 403 (docs/emulator.md)
  --compress-responses LIST  compress answers as a proxy in front would, by Accept-Encoding, in this
                             order of preference: e.g. zstd,br,gzip,deflate (default: never)

Prints "listening on http://HOST:PORT" first and runs until SIGINT or SIGTERM (then
closes and exits 130 or 143, as a shell reports a process a signal stopped).
`;

/** This package's version: `package.json` is one level above both `src/` and `dist/`. */
function packageVersion(): string {
  const url = new URL('../package.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}

/** The exit code after a signal-requested stop: 128 + the signal's number, as a shell reports it. */
export const EXIT_ON = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * A bad argument: the bin prints it with a pointer to `--help` and exits 2, as `tinker` and `tinkex`
 * do for usage errors (`code` lets a delegating CLI, `tinkex emulator`, tell it from a failure).
 */
export class EmulatorUsageError extends Error {
  override name = 'EmulatorUsageError';
  readonly code = 'ERR_EMULATOR_USAGE';
}

function integer(
  name: string,
  text: string | undefined,
  fallback: number,
  max = Number.MAX_SAFE_INTEGER,
  min = 0,
): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text))
    throw new EmulatorUsageError(`--${name} must be a non-negative integer, got "${text}"`);
  if (Number(text) > max) throw new EmulatorUsageError(`--${name} must be at most ${max}, got "${text}"`);
  if (Number(text) < min) throw new EmulatorUsageError(`--${name} must be at least ${min}, got "${text}"`);
  return Number(text);
}

const MAX_LOG_MIB = Math.floor(Number.MAX_SAFE_INTEGER / 2 ** 20);

/** Errors of the arguments' own parsers (node:util, flags, chaos spec) as usage errors. */
function asUsage<T>(parse: () => T, prefix = ''): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof EmulatorUsageError) throw error;
    // The chaos parser names itself ("chaos: …"); the option's name replaces that.
    throw new EmulatorUsageError(`${prefix}${(error as Error).message.replace(/^chaos: /, '')}`);
  }
}

/**
 * Run the emulator from command-line arguments until SIGINT or SIGTERM; resolves to the exit code
 * (130 or 143). Bad
 * arguments throw an Error naming the option, before anything listens. `signals` is where SIGINT and
 * SIGTERM arrive (the process; a test passes its own emitter).
 */
export async function runEmulatorCli(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  signals: Pick<NodeJS.EventEmitter, 'once' | 'off'> = process,
): Promise<number> {
  const { values } = asUsage(() =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
        port: { type: 'string' },
        host: { type: 'string' },
        seed: { type: 'string' },
        chaos: { type: 'string' },
        flag: { type: 'string', multiple: true },
        'dynamic-flag': { type: 'string', multiple: true },
        'legacy-json': { type: 'boolean' },
        'long-poll-ms': { type: 'string' },
        'jwt-ttl': { type: 'string' },
        'request-log-mib': { type: 'string' },
        account: { type: 'string', multiple: true },
        'compress-responses': { type: 'string' },
      },
    }),
  );
  if (values.help) {
    out.write(USAGE);
    return 0;
  }
  if (values.version) {
    out.write(`${packageVersion()}\n`);
    return 0;
  }
  // Every argument is checked before anything listens or any signal handler is installed.
  const host = values.host ?? '127.0.0.1';
  const options = {
    port: integer('port', values.port, 0, 65_535),
    host,
    seed: integer('seed', values.seed, 0, MAX_SEED),
    chaos: values.chaos,
    clientConfig: asUsage(() => parseFlags(values.flag ?? [], CLIENT_CONFIG_DEFAULTS)),
    dynamicConfig: asUsage(() => parseFlags(values['dynamic-flag'] ?? [], DYNAMIC_CONFIG_DEFAULTS)),
    legacyJson: values['legacy-json'] ?? false,
    longPollMs: integer('long-poll-ms', values['long-poll-ms'], 1000, MAX_TIMER_MS),
    // A token expired when issued would fail every request (startEmulator allows that, for tests).
    jwtTtlSeconds: integer('jwt-ttl', values['jwt-ttl'], 3600, Number.MAX_SAFE_INTEGER, 1),
    // At most what a safe integer holds in bytes.
    requestLogBytes: integer('request-log-mib', values['request-log-mib'], 64, MAX_LOG_MIB) * 1024 * 1024,
    accounts: asUsage(() => parseAccounts(values.account ?? [])),
    compressResponses: asUsage(
      () => responseCodings(values['compress-responses']?.split(',').map((c) => c.trim())),
      '--compress-responses: ',
    ),
  };
  // Without --chaos, startEmulator reads TINKEX_EMULATOR_CHAOS: a bad one is a usage error too.
  if (values.chaos === undefined) asUsage(() => chaosOrEnv(undefined));
  else asUsage(() => parseChaos(values.chaos), '--chaos: ');
  // The handlers go in before the server starts: a supervisor may signal as soon as it reads the
  // "listening on" line (or while the server is still starting), and a stop requested then still
  // closes the server instead of being lost or killing the process mid-start. After the clean close the
  // exit code is 128 + the signal's number (130 SIGINT, 143 SIGTERM), what a shell reports for a process
  // a signal stopped: a script can tell a stop it asked for from a server that ended on its own.
  let requestStop!: (code: number) => void;
  const stopRequested = new Promise<number>((resolve) => (requestStop = resolve));
  const onInt = () => requestStop(EXIT_ON.SIGINT);
  const onTerm = () => requestStop(EXIT_ON.SIGTERM);
  signals.once('SIGINT', onInt);
  signals.once('SIGTERM', onTerm);
  try {
    const emulator = await startEmulator(options).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE')
        throw new Error(
          `port ${options.port} on ${host} is in use: pick another --port (0 picks a free one)`,
        );
      // Not this machine's address, or a name that does not resolve: say which option, not just `listen …`.
      if (['EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN'].includes(error.code ?? ''))
        throw new Error(
          `cannot listen on --host ${host} (${error.code}): use an address of this machine (default 127.0.0.1)`,
        );
      throw error;
    });
    out.write(`listening on ${emulator.url}\n`);
    const code = await stopRequested;
    await emulator.close();
    return code;
  } finally {
    signals.off('SIGINT', onInt);
    signals.off('SIGTERM', onTerm);
  }
}
