import {
  APIConnectionError,
  APIError,
  APIStatusError,
  APITimeoutError,
  APIUserAbortError,
  PristineError,
  ProxyError,
  ResponseValidationError,
  SerializationError,
  StreamIdleTimeoutError,
} from 'pristine-kernel';
import {
  ArchiveNotReadyError,
  DownloadInterruptedError,
  DownloadTargetError,
} from '../download/download-errors.js';
import { tinkerManifest } from '../manifest.js';
import { CredentialCommandError } from '../protocol/credential.js';
import { ExpiredCredentialError, isCommandOrigin } from '../protocol/expired-credential.js';
import { isSessionGone, SESSION_GONE } from '../plugin/session-gone.js';
import { CliError, InterruptedError } from './errors.js';
import { formatSize } from './output.js';

// Loaded only when something failed: the kernel is not imported for --help and usage errors.

/** What happened and what to do, per status. A 401's hint names the credential's source: authHint. */
const byStatus: Record<number, [string, string?]> = {
  400: ['Invalid request', 'Check the arguments; the server rejected them.'],
  401: ['Authentication failed'],
  402: [
    'Payment required',
    "The account's billing stops this request: check its billing status in the Tinker console, then run the command again.",
  ],
  403: ['Permission denied', "You don't have permission to access this resource."],
  404: [
    'Resource not found',
    'Check the id or tinker:// path (`tinkex run list`, `tinkex checkpoint list`).',
  ],
  // No guess at the state: a 409 is also `unpublish` of a private checkpoint. The server's Details say it.
  409: ['Conflict', 'The resource is not in a state that allows this (the details below say why).'],
  422: ['Invalid data provided', 'Check the arguments; the server could not process them.'],
  429: ['Rate limit exceeded', 'Please wait a moment before trying again.'],
};

/** What the CLI knows about the API it called, so a hint points at the right setting. */
export interface ApiSetup {
  /**
   * The Tinker API's `scheme://host:port`: a failure at another host (the Hugging Face Hub for a
   * tokenizer, a signed download URL) names that host instead of sending the user to check
   * `--base-url` or the API key.
   */
  origin?: string;
  /** Where the credential comes from: an API key, TINKER_CREDENTIAL_CMD, or both (the server picks). */
  credential?: 'api_key' | 'credential_cmd' | 'both';
  /** The API's base URL as configured, for a 404 that a wrong path in it explains. */
  baseUrl?: string;
  /** The environment variables that set the proxy (`HTTPS_PROXY, HTTP_PROXY`), for a proxy failure. */
  proxySettings?: string;
}

/**
 * The message a person sees for an error, as `tinker`'s CLI words them: what happened (with the HTTP
 * status), then what to do. The server's own message follows as `Details:`.
 */
export function describeError(error: unknown, api: ApiSetup = {}): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof APIUserAbortError) return new InterruptedError();
  const detail = (e: Error) => `Details: ${e.message}`;
  // Before the connection cases: the server was reached, the transfer broke.
  if (error instanceof DownloadInterruptedError) {
    const of = Number.isFinite(error.totalBytes) ? ` of ${formatSize(error.totalBytes)}` : '';
    // A server that went silent (hung, stopped) is not a connection that broke: say which it was.
    const stall = error.cause instanceof StreamIdleTimeoutError ? error.cause.idleMs : undefined;
    const what =
      stall === undefined
        ? 'The connection broke'
        : `The server stopped sending for ${Math.round(stall / 1000)} s`;
    return new CliError(
      `Download interrupted after ${formatSize(error.downloadedBytes)}${of}`,
      `${what} during the transfer; nothing was left behind. Run the command again.\n${detail(error)}`,
    );
  }
  if (error instanceof DownloadTargetError) {
    // The issue's own text, without the SDK's wording around it (pointer, rule, `force: true`).
    const [issue] = error.issues;
    const refused = issue.rule === 'absent-or-force';
    return new CliError(
      `${error.name}: ${refused ? `${error.path} already exists` : issue.message}`,
      refused
        ? 'Pass --force to replace that folder and all it holds (nothing outside it is touched).'
        : undefined,
    );
  }
  if (error instanceof ArchiveNotReadyError)
    // Worded for the CLI's flag, not the client's option.
    return new CliError(
      `The archive of ${error.training_run_id}/${error.checkpoint_id} is being prepared by the server`,
      'Try again later, or run without --max-retries 0 to wait for it (up to 2.5 minutes).',
    );
  if (error instanceof CredentialCommandError)
    return new CliError(
      `Could not get a credential: ${error.message}`,
      'Run the command yourself: it must exit 0 and print an API key (tml-…) or a JWT (eyJ…) on ' +
        'stdout. Its output is not shown here, since it may hold a secret.',
    );
  if (error instanceof ExpiredCredentialError) return expiredCredential(error);
  // Before the third-party and connection cases: whatever host was asked for, the proxy is the fault.
  if (error instanceof ProxyError) return proxyFailure(error, api.proxySettings);
  if (error instanceof APIError && isThirdParty(error, api.origin)) return thirdPartyFailure(error);
  if (isSessionGone(error)) {
    // Each command opens its own session: running it again is the CLI's way back (not the SDK's advice).
    const said = (error as Error).message;
    return new CliError(
      'Session not found (HTTP 404)',
      `${SESSION_GONE}. Run the command again.\nDetails: ${said.slice(0, said.indexOf(`. ${SESSION_GONE}`))}`,
    );
  }
  if (error instanceof APIStatusError) {
    const [message, hint = ''] =
      byStatus[error.status] ??
      (error.status >= 500
        ? ['Internal server error', 'The Tinker API encountered an internal error. Please try again later.']
        : [`API error`, 'The server refused the request.']);
    const advice =
      error.status === 401
        ? authHint(api.credential)
        : error.status === 404 && NEWER_CALLS.has(error.endpointId ?? '')
          ? 'The server may predate this call (older Tinker-compatible servers lack it), or --base-url / TINKER_BASE_URL is wrong.'
          : error.status === 404 && namesNoResource(error.endpointId)
            ? baseUrlHint(api.baseUrl)
            : error.status === 404 && error.endpointId === 'export_session_trace'
              ? NO_SUCH_SESSION
              : hint;
    return new CliError(`${message} (HTTP ${error.status})`, `${advice}\n${detail(error)}`);
  }
  if (error instanceof APITimeoutError)
    return new CliError(
      'Request timeout',
      `The request to the Tinker API timed out. Please try again.\n${detail(error)}`,
    );
  if (error instanceof APIConnectionError && /^TLS error: .*certificate/.test(error.message))
    return new CliError(
      "Connection failed: the server's TLS certificate was refused",
      `${UNTRUSTED_CERT}\n${detail(error)}`,
    );
  if (error instanceof APIConnectionError) {
    const advice = /ERR_SSL_WRONG_VERSION_NUMBER/.test(error.message)
      ? PLAIN_HTTP
      : 'Could not connect to the Tinker API. Check --base-url / TINKER_BASE_URL and your network.';
    return new CliError('Connection failed', `${advice}\n${detail(error)}`);
  }
  if (
    error instanceof SerializationError &&
    error.direction === 'decode' &&
    isTinkerEndpoint(error.endpointId ?? '')
  )
    return new CliError(
      'The answer of the server could not be read',
      'It is not what a Tinker API sends: check --base-url / TINKER_BASE_URL, and any proxy between you and ' +
        `the API (it may rewrite answers). TINKER_LOG=debug shows each request and answer.\n${detail(error)}`,
    );
  if (error instanceof ResponseValidationError && error.notJson && isTinkerEndpoint(error.endpointId))
    return new CliError(
      'The server did not answer as a Tinker API',
      `Check --base-url / TINKER_BASE_URL: it must be the API's address, not a web page.\n${detail(error)}`,
    );
  if (error instanceof PristineError) return new CliError(`${error.name}: ${error.message}`);
  // Typed errors of the SDK keep their class name: it tells scripts and people which failure it was.
  if (error instanceof Error)
    return new CliError(error.name === 'Error' ? error.message : `${error.name}: ${error.message}`);
  return new CliError(String(error));
}

/** The proxy refused its credentials (407) or did not get the request through: check the proxy, not the URL. */
function proxyFailure(error: ProxyError, settings = 'TINKEX_PROXY, HTTPS_PROXY or HTTP_PROXY'): CliError {
  const details = `Details: ${error.message}`;
  if (error.proxyStatus === 407)
    return new CliError(
      'Proxy authentication failed (HTTP 407)',
      `Check the user and password in the proxy URL (${settings}).\n${details}`,
    );
  const what =
    error.proxyStatus === undefined ? 'could not be reached' : `answered HTTP ${error.proxyStatus}`;
  return new CliError(
    `Connection failed: the proxy ${what}`,
    `Check the proxy setting (${settings}; NO_PROXY lists hosts reached directly) and that the proxy ` +
      `is up.\n${details}`,
  );
}

/** The kernel's TLS error for a certificate that is not trusted, expired or for another host (never retried). */
const UNTRUSTED_CERT =
  'If the server (or a proxy that inspects TLS) uses a private CA, start with NODE_EXTRA_CA_CERTS=/path/to/ca.pem; ' +
  'otherwise check --base-url / TINKER_BASE_URL.';

/** OpenSSL's error when an https:// request reaches a server that answers in plain HTTP. */
const PLAIN_HTTP =
  'The server did not answer in TLS: if it serves plain HTTP (as a local emulator does), use http:// in --base-url / TINKER_BASE_URL.';

/** A 404 on a call that names no id: the base URL is wrong; say how when its path shows it. */
function baseUrlHint(baseUrl: string | undefined): string {
  const url = baseUrl === undefined ? undefined : URL.parse(baseUrl);
  const path = url?.pathname.replace(/\/+$/, '');
  if (url && path?.endsWith('/api/v1')) {
    // No user:password@ in a message: the origin and path are what to change.
    const fixed = `${url.origin}${path.slice(0, -'/api/v1'.length)}`;
    return `Check --base-url / TINKER_BASE_URL: it ends in /api/v1, which Tinkex adds to every call; use ${fixed} instead.`;
  }
  return 'Check --base-url / TINKER_BASE_URL: this call names no id, so the server has no Tinker API there.';
}

/** An expired JWT, named by the CLI's own setting (the client's `api_key` option is --api-key here). */
function expiredCredential(error: ExpiredCredentialError): CliError {
  if (isCommandOrigin(error.source))
    return new CliError(
      `The JWT ${error.source} printed expired at ${error.expiredAt}`,
      'It printed an expired one when run twice; nothing was sent. Renew the login (or the cached token) ' +
        'the command uses, then run this again.',
    );
  const where = error.source === 'api_key' ? '--api-key' : error.source;
  return new CliError(
    `The API key in ${where} expired at ${error.expiredAt}`,
    `It is a JWT whose exp has passed; nothing was sent. Get a new key and set ${where} to it.`,
  );
}

/** A 401's hint names the setting the credential came from: a key, or what a command printed. */
function authHint(credential: ApiSetup['credential']): string {
  const key = 'your API key (--api-key or TINKER_API_KEY)';
  const command = 'the credential TINKER_CREDENTIAL_CMD prints (a valid API key or an unexpired JWT)';
  if (credential === 'credential_cmd') return `Check ${command}.`;
  if (credential === 'both') return `Check ${key}, and ${command}: the server may ask for either.`;
  return `Check ${key}.`;
}

/** Where a session id comes from: no command lists sessions, but run ids are `<session_id>:train:<n>`. */
const NO_SUCH_SESSION =
  "Check the session id: a training run's id (`tinkex run list`) starts with its session's, before `:train:`." +
  // Trace export came with the 0.18–0.25 clients: a server of the JSON protocol answers it 404 for any id.
  ' If it is right, the server may predate this call (older Tinker-compatible servers lack it).';

/** Calls newer than the JSON protocol of the official SDK 0.7.0, which older servers answer with a 404. */
const NEWER_CALLS: ReadonlySet<string> = new Set(['get_billing_usage', 'get_audit_log']);

/**
 * A Tinker call whose 404 cannot mean "no such run or checkpoint": a listing (GET without a path
 * parameter) or opening a session. Such a 404 means the base URL leads to no Tinker API.
 */
function namesNoResource(endpointId: string | undefined): boolean {
  const endpoint = tinkerManifest.endpoints.find((e) => e.id === endpointId);
  if (!endpoint) return false;
  return endpoint.id === 'create_session' || (endpoint.method === 'GET' && !endpoint.path.includes('{'));
}

/** An endpoint of the Tinker API itself (the Hub's have their own plugin). */
function isTinkerEndpoint(endpointId: string): boolean {
  return tinkerManifest.endpoints.some((e) => e.id === endpointId);
}

function isThirdParty(
  error: APIError,
  apiOrigin: string | undefined,
): error is APIError & { origin: string } {
  return error.origin !== undefined && apiOrigin !== undefined && error.origin !== apiOrigin;
}

function thirdPartyFailure(error: APIError & { origin: string }): CliError {
  const details = `Details: ${error.message}`;
  if (error instanceof APIStatusError)
    return new CliError(`${error.origin} refused the request (HTTP ${error.status})`, details);
  const what = error instanceof APITimeoutError ? 'did not answer in time' : 'could not be reached';
  return new CliError(
    `Connection failed: ${error.origin} ${what}`,
    `This is not the Tinker API: check your network, or the settings for that host (HF_ENDPOINT, ` +
      `HF_HUB_OFFLINE and HF_TOKEN for the Hugging Face Hub).\n${details}`,
  );
}
