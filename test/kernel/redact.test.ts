import { describe, expect, it } from '@jest/globals';
import { inspect, format } from 'node:util';
import {
  REDACTED,
  Secret,
  SecretRegistry,
  carriesCredential,
  isSecretHeader,
  redactHeaders,
  redactUrl,
  redactValue,
  scrubText,
} from '../../src/kernel/redact.js';
import { JsonLogger } from '../../src/adapters/logger/json-logger.js';
import { APIConnectionError } from '../../src/kernel/errors/api-errors.js';

const API_KEY = 'sk-live-9f8e7d6c5b4a39281706';
const BEARER = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl';
const PROXY_PASSWORD = 'pr0xy-p@ss';
const PROXY_URL = `http://proxyuser:${encodeURIComponent(PROXY_PASSWORD)}@proxy.internal:3128`;

describe('secrets never leak, whatever path they take', () => {
  it('keeps an API key, a bearer token and proxy credentials out of logs, inspect, JSON and errors', () => {
    const secrets = new SecretRegistry();
    secrets.add(API_KEY);
    secrets.addUrlCredentials(PROXY_URL);
    const lines: string[] = [];
    const logger = new JsonLogger({ level: 'debug', secrets, write: (l) => lines.push(l), logHeaders: true });

    const config = { apiKey: new Secret(API_KEY), nested: { proxy: new Secret(PROXY_URL) } };
    const error = new APIConnectionError(
      `connect ECONNREFUSED via ${PROXY_URL} with key ${API_KEY} and Authorization: Bearer ${BEARER}`,
    );
    error.message = secrets.scrub(error.message);

    logger.debug('sending', {
      headers: {
        authorization: `Bearer ${BEARER}`,
        'x-api-key': API_KEY,
        'proxy-authorization': `Basic ${Buffer.from(`proxyuser:${PROXY_PASSWORD}`).toString('base64')}`,
        'content-type': 'application/json',
        'user-agent': 'sdk/1.0',
        'x-request-id': 'req_123',
      },
      proxy: PROXY_URL,
      note: `retrying with ${API_KEY}`,
      config,
      error,
    });
    logger.error(`failed: ${error.message}`);

    const outputs = {
      log: lines.join('\n'),
      inspect: inspect(config, { depth: 10, showHidden: true }),
      consoleFormat: format('%s %o %O %j', config.apiKey, config, config, config),
      template: `${config.apiKey} ${String(config.nested.proxy)}`,
      json: JSON.stringify(config),
      error: error.message,
      errorInspect: inspect(error),
    };
    for (const [where, text] of Object.entries(outputs)) {
      for (const secret of [API_KEY, BEARER, PROXY_PASSWORD, encodeURIComponent(PROXY_PASSWORD)]) {
        expect({ where, leaked: text.includes(secret) }).toEqual({ where, leaked: false });
      }
    }
    const record = JSON.parse(lines[0]!);
    expect(record.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'sdk/1.0',
      'x-request-id': 'req_123',
      authorization: REDACTED,
    });
    expect(config.apiKey.reveal()).toBe(API_KEY);
  });
});

describe('Secret', () => {
  it('reveals only on request and hides from every printer', () => {
    const secret = new Secret('hunter2-hunter2');
    expect(secret.reveal()).toBe('hunter2-hunter2');
    expect(String(secret)).toBe(REDACTED);
    expect(`${secret}`).toBe(REDACTED);
    expect(JSON.stringify({ secret })).toBe(`{"secret":"${REDACTED}"}`);
    expect(inspect({ secret })).not.toContain('hunter2');
    expect(Object.keys(secret)).toEqual([]);
    expect(inspect(structuredClone({ s: secret }))).not.toContain('hunter2');
  });

  it('is recognised across kernel copies by brand, not by class identity', () => {
    const foreign = Object.create(Object.getPrototypeOf(new Secret('x'))) as object;
    expect(foreign instanceof Secret).toBe(true);
    expect({} instanceof Secret).toBe(false);
    expect(Secret.from(new Secret('abcd')).reveal()).toBe('abcd');
  });
});

describe('redactHeaders', () => {
  it('redacts credential headers case-insensitively and keeps ordinary ones', () => {
    const out = redactHeaders(
      {
        Authorization: 'Bearer abc',
        'Proxy-Authorization': 'Basic abc',
        Cookie: 'a=b',
        'Set-Cookie': ['a=b', 'c=d'],
        'X-API-Key': 'k',
        'api-key': 'k',
        'X-Auth-Token': 't',
        'CF-Access-Client-Secret': 's',
        'x-db-password': 'p',
        'x-goog-apikey': 'k',
        'X-Custom-Sig': 'v',
        'Content-Type': 'application/json',
        'User-Agent': 'ua',
        'X-Request-Id': 'r',
        'x-ratelimit-remaining-tokens': '9000',
        'idempotency-key': 'idem',
      },
      ['x-custom-sig'],
    );
    expect(out).toEqual({
      Authorization: REDACTED,
      'Proxy-Authorization': REDACTED,
      Cookie: REDACTED,
      'Set-Cookie': REDACTED,
      'X-API-Key': REDACTED,
      'api-key': REDACTED,
      'X-Auth-Token': REDACTED,
      'CF-Access-Client-Secret': REDACTED,
      'x-db-password': REDACTED,
      'x-goog-apikey': REDACTED,
      'X-Custom-Sig': REDACTED,
      'Content-Type': 'application/json',
      'User-Agent': 'ua',
      'X-Request-Id': 'r',
      'x-ratelimit-remaining-tokens': '9000',
      'idempotency-key': 'idem',
    });
  });

  it('keeps names that only say where a credential comes from, and redacts the credential itself', () => {
    // Tinker 0.25's client/config: `credential_default_source` is `api_key` or `credential_cmd`.
    expect(isSecretHeader('credential_default_source')).toBe(false);
    expect(isSecretHeader('credential_source')).toBe(false);
    expect(isSecretHeader('credential')).toBe(true);
    expect(isSecretHeader('credentials')).toBe(true);
    expect(isSecretHeader('credential_cmd')).toBe(true);
    expect(isSecretHeader('x-credential-source-token')).toBe(true);
  });

  it('redacts a value that carries an authorization scheme, whatever the header is called', () => {
    const out = redactHeaders({
      'X-Custom-Auth': 'Bearer abc.def',
      'X-Gateway': 'basic dXNlcjpwYXNz',
      'X-Upstream': 'Token t0k3n',
      'X-Trace': 'bearer-less-id',
      Accept: 'application/json',
    });
    expect(out).toEqual({
      'X-Custom-Auth': REDACTED,
      'X-Gateway': REDACTED,
      'X-Upstream': REDACTED,
      'X-Trace': 'bearer-less-id',
      Accept: 'application/json',
    });
    expect(carriesCredential('Bearer abc')).toBe(true);
    expect(carriesCredential('Bearer')).toBe(false);
  });

  it('returns a copy and leaves the caller’s headers alone', () => {
    const headers = { authorization: 'Bearer abc' };
    redactHeaders(headers);
    expect(headers.authorization).toBe('Bearer abc');
    expect(isSecretHeader('AUTHORIZATION')).toBe(true);
  });
});

describe('redactUrl', () => {
  it('masks userinfo and secret query parameters, leaving the rest byte for byte', () => {
    expect(redactUrl('https://user:pa%40ss@api.example.com:8443/v1/x?api_key=abc&q=a+b%20c&code=42')).toBe(
      `https://***:***@api.example.com:8443/v1/x?api_key=${REDACTED}&q=a+b%20c&code=${REDACTED}`,
    );
    expect(redactUrl('https://ghp_token@github.example/repo.git')).toBe(
      'https://***@github.example/repo.git',
    );
  });

  it('covers every listed parameter, extras, presigned signatures and OAuth fragments', () => {
    const names = [
      'api_key',
      'apikey',
      'key',
      'token',
      'access_token',
      'secret',
      'password',
      'sig',
      'signature',
      'code',
    ];
    for (const name of names)
      expect(redactUrl(`https://h/p?${name}=v`)).toBe(`https://h/p?${name}=${REDACTED}`);
    expect(redactUrl('https://h/p?Session=v&X-Amz-Signature=abc', ['session'])).toBe(
      `https://h/p?Session=${REDACTED}&X-Amz-Signature=${REDACTED}`,
    );
    expect(redactUrl('https://h/cb#access_token=abc&state=s')).toBe(
      `https://h/cb#access_token=${REDACTED}&state=s`,
    );
  });

  it('handles relative and unparseable URLs, does not normalise, and is idempotent', () => {
    expect(redactUrl('/v1/items?token=abc')).toBe(`/v1/items?token=${REDACTED}`);
    expect(redactUrl('https://api.example.com')).toBe('https://api.example.com');
    expect(redactUrl('not a url')).toBe('not a url');
    const once = redactUrl('http://u:p@h/?token=t');
    expect(redactUrl(once)).toBe(once);
  });

  it('masks up to the last @ of the authority, as URL parsers read it', () => {
    expect(redactUrl('http://user:p@ss@host/path@x')).toBe('http://***:***@host/path@x');
  });
});

describe('redactValue', () => {
  it('redacts secret-named keys deeply, keeping counts, flags and absence', () => {
    const input = {
      accessToken: 'a',
      client_secret: 's',
      nested: [{ password: 123456, token: null, hasPassword: true }],
      credentials: { user: 'u', pass: 'p' },
      max_tokens: 100,
      tokenizer_id: 'llama',
      prompt: 'hello',
    };
    expect(redactValue(input)).toEqual({
      accessToken: REDACTED,
      client_secret: REDACTED,
      nested: [{ password: REDACTED, token: null, hasPassword: true }],
      credentials: REDACTED,
      max_tokens: 100,
      tokenizer_id: 'llama',
      prompt: 'hello',
    });
    expect(input.accessToken).toBe('a');
  });

  it('scrubs bearer tokens, URLs and registered keys inside strings', () => {
    const secrets = new SecretRegistry();
    secrets.add('registered-key-1234');
    expect(
      redactValue(
        ['Authorization: Bearer abc.def', 'see https://u:p@h/?token=t', 'key registered-key-1234!'],
        { secrets },
      ),
    ).toEqual([
      `Authorization: Bearer ${REDACTED}`,
      `see https://***:***@h/?token=${REDACTED}`,
      `key ${REDACTED}!`,
    ]);
  });

  it('survives cycles, bigints, binary data, errors and throwing getters', () => {
    const cyclic: Record<string, unknown> = { n: 1n, bytes: new Uint8Array(3) };
    cyclic.self = cyclic;
    Object.defineProperty(cyclic, 'boom', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    });
    expect(() => JSON.stringify(redactValue(cyclic))).not.toThrow();
    const shared = { a: 1 };
    expect(redactValue({ x: shared, y: shared })).toEqual({ x: { a: 1 }, y: { a: 1 } });
    const error = new APIConnectionError('Bearer abcdef failed', { status: 502, cause: new Error('inner') });
    expect(redactValue(error)).toEqual({
      name: 'APIConnectionError',
      message: `Bearer ${REDACTED} failed`,
      status: 502,
      cause: { name: 'Error', message: 'inner' },
    });
    expect(redactValue({ cyclic })).toMatchObject({
      cyclic: { n: '1', bytes: '[Uint8Array 3 bytes]', self: '[Circular]', boom: '[Unreadable]' },
    });
  });
});

describe('SecretRegistry', () => {
  it('scrubs every occurrence, longest secret first, and forgets deleted secrets', () => {
    const secrets = new SecretRegistry();
    secrets.add('abcd-1234');
    secrets.add('abcd-1234-extended');
    secrets.add(new Secret('wrapped-secret'));
    expect(secrets.scrub('abcd-1234-extended abcd-1234 abcd-1234 wrapped-secret')).toBe(
      `${REDACTED} ${REDACTED} ${REDACTED} ${REDACTED}`,
    );
    secrets.delete('abcd-1234');
    expect(secrets.scrub('abcd-1234')).toBe('abcd-1234');
    expect(secrets.size).toBe(2);
  });

  it('treats regex metacharacters literally and ignores values too short to scrub safely', () => {
    const secrets = new SecretRegistry();
    expect(secrets.add('a.b*c+(d)$')).toBe(true);
    expect(secrets.add('abc')).toBe(false);
    expect(secrets.add('')).toBe(false);
    expect(secrets.scrub('x a.b*c+(d)$ y aXbbc+(d)$ abc')).toBe(`x ${REDACTED} y aXbbc+(d)$ abc`);
  });

  it('registers proxy passwords both encoded and decoded', () => {
    const secrets = new SecretRegistry();
    secrets.addUrlCredentials('http://u:p%40ssw0rd@proxy:8080');
    secrets.addUrlCredentials('not a url');
    expect(secrets.scrub('p@ssw0rd p%40ssw0rd')).toBe(`${REDACTED} ${REDACTED}`);
  });

  it('scrubs by shape without any registered secret, but leaves prose alone', () => {
    const basic = Buffer.from('user:pw').toString('base64');
    expect(scrubText(`Authorization: Basic ${basic}`)).toBe(`Authorization: Basic ${REDACTED}`);
    expect(scrubText('Basic usage of the API')).toBe('Basic usage of the API');
    expect(scrubText('proxy http://me:pw@proxy:80/ failed')).toBe('proxy http://***:***@proxy:80/ failed');
    expect(scrubText('GET https://h/x?q=1&api_key=abc failed')).toBe(
      `GET https://h/x?q=1&api_key=${REDACTED} failed`,
    );
    expect(scrubText('mail me@example.com or see http://example.com/a@b')).toBe(
      'mail me@example.com or see http://example.com/a@b',
    );
  });

  it('is itself safe to print', () => {
    const secrets = new SecretRegistry();
    secrets.add('top-secret-value');
    expect(inspect(secrets)).not.toContain('top-secret-value');
    expect(JSON.stringify({ secrets })).not.toContain('top-secret-value');
  });

  it('scrubs every occurrence of many secrets in a large text, leaving the rest intact', () => {
    const secrets = new SecretRegistry();
    for (let i = 0; i < 200; i++) secrets.add(`secret-number-${i}-xyz`);
    const text = 'lorem secret-number-150-xyz ipsum secret-number-7-xyz '.repeat(20_000);
    const out = secrets.scrub(text);
    expect(out).not.toMatch(/secret-number-\d+-xyz/);
    expect(out.split('lorem ').length - 1).toBe(20_000);
    expect(out.split(' ipsum ').length - 1).toBe(20_000);
  });

  it('scrubs recurring texts (URLs) as scrub does, also after the set of secrets changed', () => {
    const secrets = new SecretRegistry();
    const url = 'http://alice:pw@host/api/v1/x?note=late-secret-1234&key=k-value';
    const first = secrets.scrubRecurring(url);
    expect(first).toBe(secrets.scrub(url));
    expect(first).toBe(`http://***:***@host/api/v1/x?note=late-secret-1234&key=${REDACTED}`);
    // The same result again, as the same string (one per recurring text, not one per call).
    expect(secrets.scrubRecurring(`${url}`)).toBe(first);
    secrets.add('late-secret-1234');
    expect(secrets.scrubRecurring(url)).toBe(`http://***:***@host/api/v1/x?note=${REDACTED}&key=${REDACTED}`);
    secrets.delete('late-secret-1234');
    expect(secrets.scrubRecurring(url)).toBe(first);
    // Texts that do not recur do not grow it without bound, and still come out scrubbed.
    for (let i = 0; i < 1_000; i++)
      expect(secrets.scrubRecurring(`Bearer tok-${i}`)).toBe(`Bearer ${REDACTED}`);
    expect(secrets.scrubRecurring(url)).toBe(first);
  });
});
