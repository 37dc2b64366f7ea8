import { APIStatusError, OptionChecks, ResponseValidationError, type CallOptions } from 'pristine-kernel';
import { ArchiveNotReadyError } from '../download/download-errors.js';
import { loggerOf, type TinkerKernel } from './tinker-kernel.js';

/**
 * A checkpoint's archive, as the REST client reaches it: a signed URL (asked again while the server
 * prepares the archive) and the bytes behind it.
 */
export interface CheckpointArchiveUrl {
  url: string;
  expires: Date;
}

/** How long to wait on a 503 while the archive is being prepared, and how often. */
const ARCHIVE_WAIT_MS = 30_000;
const ARCHIVE_ATTEMPTS = 6;
/** A signed URL's life when the server names none. */
const DEFAULT_EXPIRY_MS = 15 * 60_000;

/**
 * The signed download URL: the server answers 302 with `Location` (and `Expires`, else 15 minutes), or
 * 200 with a JSON body (0.11.0+); a 503 means the archive is being prepared, so wait and ask again,
 * unless `waitWhilePrepared` is false (no retries: the call's `maxRetries: 0`, else the client's
 * `max_retries: 0`): then ArchiveNotReadyError at once.
 */
export async function archiveUrl(
  kernel: TinkerKernel,
  training_run_id: string,
  checkpoint_id: string,
  options: CallOptions,
  waitWhilePrepared = true,
): Promise<CheckpointArchiveUrl> {
  const clock = kernel.getServices().clock;
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await kernel.execute(
        'get_checkpoint_archive_url',
        { training_run_id, checkpoint_id },
        options,
      );
      const location = result.headers.location;
      if (result.status < 300 || !location) {
        const body = signedUrlBody(result.body);
        if (body && typeof body === 'object' && 'url' in body)
          return {
            url: String(body.url),
            expires: new Date(
              String((body as { expires?: string }).expires ?? clock.now() + DEFAULT_EXPIRY_MS),
            ),
          };
        // The server's answer, not the caller's input: a web page (a proxy's login page, a wrong base
        // URL) says "not JSON" with its first characters, as every other call's answer does.
        throw new ResponseValidationError(
          'get_checkpoint_archive_url',
          [
            {
              pointer: '/url',
              rule: 'required',
              message: `expected a redirect or {url}, got ${result.status}`,
            },
          ],
          body,
          { status: result.status, contentType: result.headers['content-type'] },
        );
      }
      const expires = result.headers.expires
        ? new Date(result.headers.expires)
        : new Date(clock.now() + DEFAULT_EXPIRY_MS);
      return {
        url: location,
        expires: Number.isNaN(expires.getTime()) ? new Date(clock.now() + DEFAULT_EXPIRY_MS) : expires,
      };
    } catch (error) {
      if (error instanceof APIStatusError && error.status === 503 && !waitWhilePrepared)
        throw new ArchiveNotReadyError(training_run_id, checkpoint_id, error);
      if (error instanceof APIStatusError && error.status === 503 && attempt < ARCHIVE_ATTEMPTS) {
        // A wait a person would otherwise sit through in silence: say so at info.
        loggerOf(kernel).info(
          `still waiting for the archive of ${training_run_id}/${checkpoint_id}: the server is preparing ` +
            `it; asking again in ${ARCHIVE_WAIT_MS / 1000} s (wait ${attempt} of ${ARCHIVE_ATTEMPTS - 1})`,
          { training_run_id, checkpoint_id, attempt },
        );
        await clock.sleep(ARCHIVE_WAIT_MS, options.signal);
        continue;
      }
      throw error;
    }
  }
}

/** The JSON of a 200 answer, or its text as it came when it is not JSON (reported as such). */
function signedUrlBody(body: unknown): unknown {
  if (typeof body !== 'string' || !body) return body;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}

/**
 * The archive bytes of a signed URL, as a stream (`cancel` stops reading it). The URL is checked first
 * (never echoed: a signed URL is a credential), so a wrong one is a ValidationError, not a TypeError.
 */
export async function openArchive(kernel: TinkerKernel, url: string, options: CallOptions) {
  new OptionChecks('openDownload').url('url', url).throwIfAny();
  const target = new URL(url);
  const query = Object.fromEntries(target.searchParams);
  const path = target.pathname.replace(/^\//, '').split('/').map(decodeURIComponent).join('/');
  // The archive is a file: asked for as it is stored (the official CLI's urllib sends `identity` too), and
  // read as it comes whatever its Content-Encoding (`decompress: false`), so a `.tar.gz` served with
  // `Content-Encoding: gzip` stays the `.tar.gz` and its Content-Length still counts what arrives.
  const headers = { ...options.headers, 'accept-encoding': 'identity' };
  const result = await kernel.execute(
    'download_archive',
    { path },
    { ...options, headers, baseUrl: target.origin, query },
  );
  return {
    size: Number(result.headers['content-length'] ?? Number.NaN),
    body: result.response.body,
    cancel: () => result.response.cancel(),
  };
}
