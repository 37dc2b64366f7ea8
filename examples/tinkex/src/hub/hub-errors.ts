import {
  APIConnectionError,
  APITimeoutError,
  PristineError,
  scrubText,
  type ErrorDetails,
  type SecretRegistry,
} from 'pristine-kernel';
import type { HubErrorAnswer } from './hub-fetch.js';

/** Root of the Hugging Face Hub errors. Messages never contain the token. */
export class HubError extends PristineError {}

/**
 * No token where one is needed (`missing`: the places looked at are listed), the Hub refused it
 * (`invalid`, HTTP 401), or took it but its account may not do this (`forbidden`, HTTP 403: a gated
 * repository whose conditions it has not accepted, a repository it may not write). Never retried: it
 * cannot succeed until the token or its rights change.
 */
export class HubAuthError extends HubError {
  constructor(
    readonly reason: 'missing' | 'invalid' | 'forbidden',
    message: string,
    details: ErrorDetails = {},
  ) {
    super(message, { category: 'user', retryable: false, ...details });
  }
}

/** The repository, revision or file does not exist on the Hub (or is private to someone else). */
export class HubNotFoundError extends HubError {
  constructor(message: string, details: ErrorDetails = {}) {
    super(message, { category: 'user', retryable: false, status: 404, ...details });
  }
}

/**
 * `HF_HUB_OFFLINE` (or `offline: true`) is set and the cache lacks what is needed: `missing` names the
 * files, `repo` and `revision` say where they were looked for.
 */
export class HubOfflineError extends HubError {
  constructor(
    readonly repo: string,
    readonly revision: string,
    readonly missing: readonly string[],
    cacheDir: string,
  ) {
    super(
      `${repo}@${revision} is not in the Hugging Face cache (${cacheDir}): missing ${missing.join(', ')}; ` +
        'HF_HUB_OFFLINE is set, so nothing was downloaded. Download it once online, or unset HF_HUB_OFFLINE.',
      { category: 'user', retryable: false },
    );
  }
}

/**
 * A push would replace files that already exist with different content (or a repository that holds a
 * different Tinker checkpoint); nothing was uploaded. Pass `overwrite: true` (`--overwrite`) to replace.
 */
export class HubOverwriteError extends HubError {
  constructor(
    readonly repo: string,
    readonly files: readonly string[],
    message: string,
  ) {
    super(message, { category: 'user', retryable: false, status: 409 });
  }
}

/** What `toHubError` knows besides the error itself. */
export interface HubErrorContext {
  /** Downloads only: where a gated repository's conditions are accepted, named on a 403. */
  repoPage?: string;
  /** The Hub's headers on the error answer (`hubFetch`'s `onErrorAnswer`), used if its status matches. */
  answer?: HubErrorAnswer;
  /** The token and proxy credentials, masked should the server's text quote them. */
  secrets?: SecretRegistry;
}

/**
 * The Hub's own words, as huggingface_hub gathers them: the JSON body's `error` and the
 * `X-Error-Message` header (once when they say the same), credentials masked. Empty when it said none.
 */
function serverMessage(error: unknown, status: number, context: HubErrorContext): string {
  const data = (error as { data?: { error?: unknown } }).data;
  const said = [typeof data?.error === 'string' ? data.error : undefined];
  if (context.answer?.status === status) said.push(context.answer.message);
  const unique = [...new Set(said.map((m) => m?.trim()).filter((m): m is string => Boolean(m)))];
  if (unique.length === 0) return '';
  const text = unique.join('; ');
  return `: ${context.secrets ? context.secrets.scrub(text) : scrubText(text)}`;
}

/**
 * Map what `@huggingface/hub` throws (`HubApiError` with `statusCode`, its `TypeError` for a token
 * without the `hf_` prefix) to the typed errors above; `what` says what was being done. Errors that
 * are already typed (timeouts, aborts, connection failures from `hubFetch`) keep their class; a connection
 * failure or timeout, which names only the host, is prefixed with `what`. The message
 * ends with what the Hub said (`serverMessage`).
 */
export function toHubError(
  error: unknown,
  what: string,
  hadToken: boolean,
  context: HubErrorContext = {},
): Error {
  if (error instanceof PristineError) return saying(what, error);
  if (error instanceof TypeError && /access token must start with/.test(error.message))
    return new HubAuthError('invalid', `${what}: a Hugging Face token starts with "hf_"`);
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status !== 'number')
    return error instanceof Error ? error : new HubError(`${what}: ${String(error)}`);
  const serverSays = serverMessage(error, status, context);
  const code = context.answer?.status === status ? context.answer.code : undefined;
  const { repoPage } = context;
  const details = { status, cause: error };
  // Without a token the Hub answers 401 for a repository it will not show (missing, private or gated).
  if (status === 401 && (code === 'RepoNotFound' || /not found/i.test(serverSays)))
    return new HubNotFoundError(
      `${what}: not found on the Hugging Face Hub, or private (set HF_TOKEN)${serverSays}`,
      {
        ...details,
        status,
      },
    );
  if (status === 401)
    return hadToken
      ? new HubAuthError(
          'invalid',
          `${what}: the Hugging Face Hub refused the token (HTTP 401)${serverSays}`,
          details,
        )
      : new HubAuthError(
          'missing',
          `${what}: the Hugging Face Hub needs a token (HTTP 401); set HF_TOKEN${serverSays}`,
          details,
        );
  // A HEAD (file info) answer has no body: without the page the user would only read "HTTP 403".
  if (status === 403)
    return new HubAuthError(
      'forbidden',
      `${what}: the Hugging Face Hub refused the token's account access (HTTP 403)${serverSays}` +
        (repoPage
          ? `; if the repository is gated, accept its conditions with that account at ${repoPage}`
          : ''),
      details,
    );
  if (status === 404)
    return new HubNotFoundError(`${what}: not found on the Hugging Face Hub${serverSays}`, details);
  return new HubError(`${what}: the Hugging Face Hub answered HTTP ${status}${serverSays}`, {
    ...details,
    category: status >= 500 ? 'server' : 'user',
    retryable: status >= 500 || status === 429,
  });
}

/**
 * A connection failure or timeout of `hubFetch` names the host only ("Connection error: GET
 * https://huggingface.co ENOTFOUND"): offline, a `getTokenizer` read as a network fault of no call
 * in particular. The same class (retryable as before), saying what it was fetching; the original is
 * its `cause`. Subclasses (a proxy's refusal) already say whose fault it is.
 */
function saying(what: string, error: PristineError): PristineError {
  const Same = error.constructor;
  if (Same !== APIConnectionError && Same !== APITimeoutError) return error;
  const { status, headers, body, requestId, origin, endpointId, category, retryable, retryAfterMs } = error;
  return new (Same as typeof APIConnectionError)(`${what}: ${error.message}`, {
    ...{ status, headers, body, requestId, origin, endpointId, category, retryable, retryAfterMs },
    cause: error,
  });
}
