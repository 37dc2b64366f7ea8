import { describe, expect, it } from '@jest/globals';
import {
  APIConnectionError,
  APIStatusError,
  APITimeoutError,
  APIUserAbortError,
  AuthenticationError,
  InternalServerError,
  NotFoundError,
  RateLimitError,
  ResponseValidationError,
  SerializationError,
  StreamIdleTimeoutError,
} from 'pristine-kernel';
import { describeError } from '../../src/cli/describe-error.js';
import { DownloadInterruptedError } from '../../src/index.js';

/**
 * The CLI's friendly messages for the failures that take a full retry budget to reach through the
 * spawned CLI (a dead server: about a minute): what happened, what to do, then the SDK's own message,
 * which names method and host:port. Statuses the spawned tests reach quickly (404, 409) are covered there.
 */
describe('describeError (exit 1 messages)', () => {
  it('a connection failure says what to check and keeps host:port', () => {
    const error = describeError(
      new APIConnectionError('Connection error: POST http://127.0.0.1:9 ECONNREFUSED'),
    );
    expect(error.message).toBe('Connection failed');
    expect(error.details).toBe(
      'Could not connect to the Tinker API. Check --base-url / TINKER_BASE_URL and your network.\n' +
        'Details: Connection error: POST http://127.0.0.1:9 ECONNREFUSED',
    );
    expect(error.exitCode).toBe(1);
  });

  it('https:// to a server of plain HTTP says to use http:// (found by hand against the emulator)', () => {
    const error = describeError(
      new APIConnectionError('Connection error: POST https://127.0.0.1:8000 ERR_SSL_WRONG_VERSION_NUMBER'),
    );
    expect(error.message).toBe('Connection failed');
    expect(error.details?.split('\n')[0]).toBe(
      'The server did not answer in TLS: if it serves plain HTTP (as a local emulator does), use http:// in --base-url / TINKER_BASE_URL.',
    );
  });

  it('a server certificate this process does not trust is named, with NODE_EXTRA_CA_CERTS (found by hand)', () => {
    // Before, it read "Connection failed … Check --base-url / TINKER_BASE_URL and your network", after a
    // minute of retries, and nothing said what to change.
    const said =
      "TLS error: POST https://127.0.0.1:8443: the server's certificate is not trusted " +
      '(DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate); if it is signed by a private CA, ' +
      'point NODE_EXTRA_CA_CERTS at that CA certificate (PEM)';
    const error = describeError(new APIConnectionError(said, { category: 'user', retryable: false }));
    expect(error.message).toBe("Connection failed: the server's TLS certificate was refused");
    expect(error.details).toBe(
      'If the server (or a proxy that inspects TLS) uses a private CA, start with NODE_EXTRA_CA_CERTS=/path/to/ca.pem; ' +
        `otherwise check --base-url / TINKER_BASE_URL.\nDetails: ${said}`,
    );
  });

  it("an answer of the API that does not decode says so and what could cause it, not the class's name", () => {
    // Found by hand: a server answering `content-encoding: gzip` with bytes that are not gzip printed
    // "Error: SerializationError: Could not decode the response of …" and nothing on what to check.
    const cause = new Error('incorrect header check');
    const error = describeError(
      SerializationError.decoding('get_client_config', 200, 'content-encoding gzip', cause),
    );
    expect(error.message).toBe('The answer of the server could not be read');
    expect(error.details).toBe(
      'It is not what a Tinker API sends: check --base-url / TINKER_BASE_URL, and any proxy between you and the API (it may rewrite answers). TINKER_LOG=debug shows each request and answer.\n' +
        'Details: Could not decode the response of "get_client_config" (HTTP 200, content-encoding gzip): incorrect header check',
    );
  });

  it('a failure at another host than the API names that host, not --base-url or the API key', () => {
    const api = 'http://127.0.0.1:8000';
    const hub = 'https://huggingface.co';
    const refused = describeError(
      new APIConnectionError(`Connection error: GET ${hub} ENOTFOUND`, { origin: hub }),
      { origin: api },
    );
    expect(refused.message).toBe(`Connection failed: ${hub} could not be reached`);
    expect(refused.details).not.toMatch(/TINKER_BASE_URL|base-url/);
    expect(refused.details).toMatch(
      /HF_ENDPOINT[\s\S]*\nDetails: Connection error: GET https:\/\/huggingface\.co ENOTFOUND$/,
    );
    const slow = describeError(new APITimeoutError('Request timed out: GET x', { origin: hub }), {
      origin: api,
    });
    expect(slow.message).toBe(`Connection failed: ${hub} did not answer in time`);
    const denied = describeError(new AuthenticationError('401 bad token', { status: 401, origin: hub }), {
      origin: api,
    });
    expect(denied.message).toBe(`${hub} refused the request (HTTP 401)`);
    expect(denied.details).not.toMatch(/TINKER_API_KEY/);
    // The API's own failures keep their wording, and so does an error from an unknown origin.
    const own = describeError(new APIConnectionError('Connection error: POST x', { origin: api }), {
      origin: api,
    });
    expect(own.details).toMatch(/^Could not connect to the Tinker API/);
    const unknown = describeError(new APIConnectionError('Connection error: POST x', { origin: hub }));
    expect(unknown.details).toMatch(/^Could not connect to the Tinker API/);
  });

  it('a timeout, a 5xx, a 401 and a 429 each say what to do; an abort is an interruption (130)', () => {
    const timeout = describeError(
      new APITimeoutError('listTrainingRuns did not finish within timeoutMs (300 ms)'),
    );
    expect([timeout.message, timeout.details]).toEqual([
      'Request timeout',
      expect.stringContaining('timed out. Please try again.\nDetails: listTrainingRuns did not finish'),
    ]);
    const server = describeError(new InternalServerError('503 busy', { status: 503 }));
    expect([server.message, server.details]).toEqual([
      'Internal server error (HTTP 503)',
      expect.stringContaining('Please try again later.\nDetails: 503 busy'),
    ]);
    const auth = describeError(new AuthenticationError('401 bad key', { status: 401 }));
    expect(auth.message).toBe('Authentication failed (HTTP 401)');
    expect(auth.details).toContain('Check your API key (--api-key or TINKER_API_KEY).');
    expect(describeError(new RateLimitError('429', { status: 429 })).details).toContain('wait a moment');
    // Found by hand: a 402 (billing) read "API error (HTTP 402) / The server refused the request."
    const billing = describeError(new APIStatusError('402 billing', { status: 402 }));
    expect([billing.message, billing.details]).toEqual([
      'Payment required (HTTP 402)',
      "The account's billing stops this request: check its billing status in the Tinker console, then run the command again.\nDetails: 402 billing",
    ]);
    expect(describeError(new APIUserAbortError()).exitCode).toBe(130);
  });

  it("a 401's hint names where the credential came from: the key, the command's output, or both", () => {
    const denied = new AuthenticationError('401 invalid credential', { status: 401 });
    const hint = (credential?: 'api_key' | 'credential_cmd' | 'both') =>
      describeError(denied, { credential }).details?.split('\n')[0];
    expect(hint('api_key')).toBe('Check your API key (--api-key or TINKER_API_KEY).');
    // A credential from TINKER_CREDENTIAL_CMD: checking an API key the user never set leads nowhere.
    expect(hint('credential_cmd')).toBe(
      'Check the credential TINKER_CREDENTIAL_CMD prints (a valid API key or an unexpired JWT).',
    );
    expect(hint('credential_cmd')).not.toMatch(/TINKER_API_KEY/);
    expect(hint('both')).toMatch(/TINKER_API_KEY.*TINKER_CREDENTIAL_CMD.*either/);
    expect(hint()).toBe(hint('api_key'));
  });

  it('an HTML page where the API should answer points at --base-url, for Tinker endpoints only', () => {
    const page = '<html><body>Welcome to nginx!</body></html>';
    const answer = { status: 200, contentType: 'text/html' };
    const tinker = describeError(new ResponseValidationError('get_client_config', [], page, answer));
    expect(tinker.message).toBe('The server did not answer as a Tinker API');
    expect(tinker.details).toMatch(/^Check --base-url \/ TINKER_BASE_URL/);
    expect(tinker.details).toContain('Details: Response of "get_client_config" is not JSON (HTTP 200');
    // Another API's page (the Hub's) is not a --base-url problem; a schema mismatch is not either.
    expect(describeError(new ResponseValidationError('hub_model_info', [], page, answer)).message).toMatch(
      /^ResponseValidationError: /,
    );
    const issues = [{ pointer: '/a', message: 'must be number', keyword: 'type' }];
    expect(
      describeError(new ResponseValidationError('get_client_config', issues as never, { a: 'x' }, answer))
        .message,
    ).toMatch(/^ResponseValidationError: Response of "get_client_config" does not match its schema/);
  });

  it('a 404 on a listing or on opening a session points at --base-url; on a call naming an id, at the id', () => {
    const notFound = (endpointId: string) =>
      describeError(new NotFoundError('404 Not Found', { status: 404, endpointId })).details?.split('\n')[0];
    for (const id of ['list_training_runs', 'create_session'])
      expect(notFound(id)).toMatch(/^Check --base-url \/ TINKER_BASE_URL: this call names no id/);
    for (const id of ['get_training_run', 'retrieve_future', 'unknown_endpoint'])
      expect(notFound(id)).toMatch(/^Check the id or tinker:\/\/ path/);
    // Found by hand: `billing usage` against a server of the JSON protocol (the emulator's --legacy-json)
    // said "the server has no Tinker API there", which sent the user to a base URL that was right.
    for (const id of ['get_billing_usage', 'get_audit_log'])
      expect(notFound(id)).toMatch(
        /^The server may predate this call \(older Tinker-compatible servers lack it\), or --base-url \/ TINKER_BASE_URL is wrong/,
      );
  });

  it('a 404 on session export-trace names both causes: a wrong session id, or a server older than the call', () => {
    // Found by hand (round 27): against a server of the JSON protocol (the emulator's --legacy-json), which
    // has no trace export, the hint sent the user to check a session id that was right.
    const details = describeError(
      new NotFoundError('404 Not Found', { status: 404, endpointId: 'export_session_trace' }),
    ).details?.split('\n')[0];
    expect(details).toMatch(/^Check the session id: a training run's id/);
    expect(details).toMatch(
      /If it is right, the server may predate this call \(older Tinker-compatible servers lack it\)\.$/,
    );
  });

  it('a 404 under a base URL that ends in /api/v1 says Tinkex adds that itself, and names the URL to use', () => {
    // Found by hand: TINKER_BASE_URL=http://host:port/api/v1 (the path every call shows in the debug log)
    // got "the server has no Tinker API there", with nothing on what to change.
    const notFound = (baseUrl: string) =>
      describeError(new NotFoundError('404 Not Found', { status: 404, endpointId: 'list_training_runs' }), {
        baseUrl,
      }).details?.split('\n')[0];
    expect(notFound('http://127.0.0.1:8000/api/v1')).toBe(
      'Check --base-url / TINKER_BASE_URL: it ends in /api/v1, which Tinkex adds to every call; use http://127.0.0.1:8000 instead.',
    );
    expect(notFound('https://user:pw@gw.example/tinker/api/v1/')).toBe(
      'Check --base-url / TINKER_BASE_URL: it ends in /api/v1, which Tinkex adds to every call; use https://gw.example/tinker instead.',
    );
    expect(notFound('https://gw.example/tinker')).toMatch(
      /^Check --base-url \/ TINKER_BASE_URL: this call names no id/,
    );
  });

  it('a typed error keeps its class name; a plain Error is its message alone (no "Error: Error:")', () => {
    expect(describeError(new TypeError('bad thing')).message).toBe('TypeError: bad thing');
    expect(describeError(new Error('listen EADDRINUSE')).message).toBe('listen EADDRINUSE');
  });

  it('a download the server stopped sending says so, not that the connection broke (found by hand)', () => {
    // `kill -STOP` on the server mid-download: no byte for the download's 60 s timeout.
    const stalled = new StreamIdleTimeoutError('download_archive', 60_000, 'callTimeoutMs');
    const error = describeError(new DownloadInterruptedError(148_700_841, 2_147_627_008, stalled));
    expect(error.message).toBe('Download interrupted after 141.8 MB of 2.0 GB');
    expect(error.details?.split('\n')[0]).toBe(
      'The server stopped sending for 60 s during the transfer; nothing was left behind. Run the command again.',
    );
    const cut = describeError(
      new DownloadInterruptedError(
        1000,
        Number.NaN,
        new APIConnectionError('Connection error: socket hang up'),
      ),
    );
    expect(cut.details?.split('\n')[0]).toBe(
      'The connection broke during the transfer; nothing was left behind. Run the command again.',
    );
  });
});
