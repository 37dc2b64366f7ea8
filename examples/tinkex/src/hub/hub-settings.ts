import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  JsonLogger,
  proxyFor,
  redactValue,
  Secret,
  SecretRegistry,
  SystemClock,
  UndiciTransport,
  type Clock,
  type Logger,
  type Transport,
} from 'pristine-kernel';
import type { HubFetchDeps } from './hub-fetch.js';
import { emitEnvWarning, envValue, readSwitch, SWITCH_WORDS } from '../env-value.js';
import { PROXY_VARS } from '../proxy-vars.js';

/** Where the Hub is, who we are there, and where files are cached; each has the env var huggingface_hub reads. */
export interface HubOptions {
  /** The Hub endpoint; default `HF_ENDPOINT`, else `https://huggingface.co`. */
  hubUrl?: string;
  /** Access token (`hf_…`); default `HF_TOKEN`, `HUGGING_FACE_HUB_TOKEN`, then the token file. */
  token?: string | Secret;
  /** Token file; default `HF_TOKEN_PATH`, else `$HF_HOME/token`. */
  tokenPath?: string;
  /** The hub cache; default `HF_HUB_CACHE`, else `$HF_HOME/hub` (`HF_HOME` defaults to `~/.cache/huggingface`). */
  cacheDir?: string;
  /** Use the cache only, never the network; default `HF_HUB_OFFLINE` (1/ON/YES/TRUE). */
  offline?: boolean;
  /** Bound on each request's wait for an answer and between two body chunks (ms). */
  timeoutMs?: number;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** The HTTP transport (a Pristine adapter, e.g. a `UndiciTransport` with a proxy); default a fresh `UndiciTransport`. */
  transport?: Transport;
  /** The clock of the body-stall bound; default the system clock. */
  clock?: Clock;
  /** Proxy for every Hub request, as the ServiceClient's `proxy`; default `TINKEX_PROXY`, else HTTP(S)_PROXY / NO_PROXY. */
  proxy?: string;
  /**
   * Where each Hub request and response is logged at debug (the token, secret headers and proxy
   * credentials masked); a client's `getTokenizer` passes its kernel's logger. Default JSON lines on
   * stderr at `TINKER_LOG`'s level (of `env`), like the Tinker client's.
   */
  logger?: Logger;
}

export interface HubSettings {
  hubUrl: string;
  token: Secret | undefined;
  /** Where a token was looked for (for the "no token" message). */
  tokenSources: string[];
  cacheDir: string;
  offline: boolean;
  timeoutMs: number;
  signal: AbortSignal | undefined;
  transport: Transport | undefined;
  clock: Clock | undefined;
  logger: Logger | undefined;
  /** The explicit proxy (option or TINKEX_PROXY), which wins over HTTP(S)_PROXY and NO_PROXY. */
  proxy: string | undefined;
  /** Where proxies (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) and TINKER_LOG are read. */
  env: NodeJS.ProcessEnv;
}

export const DEFAULT_HUB_URL = 'https://huggingface.co';
/** huggingface_hub's HF_HUB_DOWNLOAD_TIMEOUT default (seconds), as ms. */
const DEFAULT_TIMEOUT_MS = 10_000;

/** Seconds, as huggingface_hub reads its timeouts: any positive number (`2.5`). */
const secondsToMs = (value: string) => {
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
};
const nonEmpty = (value: string | undefined) => (value && value.trim() !== '' ? value.trim() : undefined);

/** `HF_HOME`, else `$XDG_CACHE_HOME/huggingface`, else `~/.cache/huggingface` (as huggingface_hub). */
export function hfHome(env: NodeJS.ProcessEnv): string {
  return (
    nonEmpty(env.HF_HOME) ?? join(nonEmpty(env.XDG_CACHE_HOME) ?? join(homedir(), '.cache'), 'huggingface')
  );
}

/** The hub cache directory: `HF_HUB_CACHE` (or the legacy `HUGGINGFACE_HUB_CACHE`), else `$HF_HOME/hub`. */
export function hubCacheDir(env: NodeJS.ProcessEnv): string {
  return nonEmpty(env.HF_HUB_CACHE) ?? nonEmpty(env.HUGGINGFACE_HUB_CACHE) ?? join(hfHome(env), 'hub');
}

/** Options over environment over defaults; the token is wrapped in a Secret at once. */
export function hubSettings(options: HubOptions = {}, defaultTimeoutMs = DEFAULT_TIMEOUT_MS): HubSettings {
  const env = options.env ?? process.env;
  const tokenPath = options.tokenPath ?? nonEmpty(env.HF_TOKEN_PATH) ?? join(hfHome(env), 'token');
  const logger = options.logger;
  const warn = logger ? (message: string) => logger.warn(message) : emitEnvWarning;
  return {
    hubUrl: (options.hubUrl ?? nonEmpty(env.HF_ENDPOINT) ?? DEFAULT_HUB_URL).replace(/\/+$/, ''),
    token: resolveToken(options.token, env, tokenPath),
    tokenSources: ['token option', 'HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN', tokenPath],
    cacheDir: options.cacheDir ?? hubCacheDir(env),
    offline:
      options.offline ??
      envValue(
        env,
        'HF_HUB_OFFLINE',
        readSwitch,
        { accepts: SWITCH_WORDS, fallback: false, usingText: 'off' },
        warn,
      ),
    timeoutMs:
      options.timeoutMs ??
      envValue(
        env,
        'HF_HUB_DOWNLOAD_TIMEOUT',
        secondsToMs,
        {
          accepts: 'a number of seconds > 0',
          fallback: defaultTimeoutMs,
          usingText: `${defaultTimeoutMs / 1000} s`,
        },
        warn,
      ),
    signal: options.signal,
    transport: options.transport,
    clock: options.clock,
    logger: options.logger,
    proxy: options.proxy ?? nonEmpty(env.TINKEX_PROXY),
    env,
  };
}

/**
 * Run `work` with the transport, clock, logger and proxies of `settings`; a transport made here is
 * closed afterwards (its pooled sockets would otherwise keep the process alive). Proxies follow the
 * Tinker client's rules (`proxy` / TINKEX_PROXY, else HTTPS_PROXY / HTTP_PROXY by scheme unless NO_PROXY
 * lists the host), read from `settings.env`.
 */
export async function withHubDeps<T>(
  settings: HubSettings,
  work: (deps: HubFetchDeps) => Promise<T>,
): Promise<T> {
  const { env, proxy } = settings;
  const transport = settings.transport ?? new UndiciTransport();
  try {
    return await work({
      transport,
      clock: settings.clock ?? new SystemClock(),
      logger: settings.logger ? scrubbing(settings.logger, hubSecrets(settings)) : defaultLogger(settings),
      proxyFor: (url) => proxyFor(url, proxy, env),
    });
  } finally {
    if (!settings.transport) await transport.close?.();
  }
}

/** The token and proxy credentials: masked in every Hub log line, whichever logger prints it. */
export function hubSecrets(settings: HubSettings): SecretRegistry {
  const secrets = new SecretRegistry();
  secrets.add(settings.token);
  // HTTP(S)_PROXY as the kernel reads them (`user:pass@host:port` without a scheme too).
  secrets.addProxyCredentials(settings.proxy, settings.env);
  for (const name of PROXY_VARS) if (settings.env[name]) secrets.addUrlCredentials(settings.env[name]);
  return secrets;
}

/** JSON lines on stderr at TINKER_LOG's level, scrubbed of the token and proxy credentials. */
function defaultLogger(settings: HubSettings): Logger {
  const secrets = hubSecrets(settings);
  return new JsonLogger({ envVar: 'TINKER_LOG', env: settings.env, secrets, logHeaders: true });
}

/**
 * `logger`, with the Hub's secrets scrubbed from messages and fields first: a given logger (the kernel's
 * knows only the Tinker client's secrets, a user's may know none) must not print the `hf_` token.
 */
function scrubbing(logger: Logger, secrets: SecretRegistry): Logger {
  const line =
    (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, fields?: Record<string, unknown>) =>
      logger[level](
        secrets.scrub(message),
        fields && (redactValue(fields, { secrets }) as Record<string, unknown>),
      );
  return {
    get level() {
      return logger.level;
    },
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
  };
}

function resolveToken(
  given: string | Secret | undefined,
  env: NodeJS.ProcessEnv,
  path: string,
): Secret | undefined {
  if (given !== undefined) {
    const value = typeof given === 'string' ? given : given.reveal();
    return value.trim() === '' ? undefined : Secret.from(given);
  }
  const fromEnv = nonEmpty(env.HF_TOKEN) ?? nonEmpty(env.HUGGING_FACE_HUB_TOKEN);
  if (fromEnv) return new Secret(fromEnv);
  try {
    const fromFile = nonEmpty(readFileSync(path, 'utf8'));
    return fromFile ? new Secret(fromFile) : undefined;
  } catch {
    return undefined;
  }
}
