import { describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import { AuthenticationError, statusError } from '../../src/kernel/errors/api-errors.js';
import { sanitizedCause, scrubError } from '../../src/kernel/errors/error-secrets.js';
import { PristineError } from '../../src/kernel/errors/pristine-error.js';
import { Secret, SecretRegistry } from '../../src/kernel/redact.js';

const KEY = 'sk-render-0123456789abcdef';
const LATER = 'tok-registered-later-fedcba9876';

function renderings(error: Error): string[] {
  return [
    error.message,
    String(error.stack),
    String(error),
    inspect(error),
    inspect(error, { depth: Infinity, showHidden: true }),
    JSON.stringify(error),
  ];
}

describe('kernel errors render without secrets', () => {
  it('hide secret-named fields, Secrets and registered values in headers, body and message', () => {
    const secrets = new SecretRegistry();
    secrets.add(KEY);
    const error = statusError(401, `key ${KEY} rejected`, {
      headers: { 'x-echo': KEY, 'set-cookie': 'session=abc', 'x-request-id': 'req_9' },
      body: { detail: `bad key ${KEY}`, api_key: 'whatever', nested: { secret: new Secret('s3cr3t-value') } },
      requestId: 'req_9',
    });
    scrubError(error, secrets);

    expect(error).toBeInstanceOf(AuthenticationError);
    for (const text of renderings(error)) {
      expect(text).not.toContain(KEY);
      expect(text).not.toContain('session=abc');
      expect(text).not.toContain('s3cr3t-value');
    }
    // What is not secret stays readable, in the shape callers use.
    const json = JSON.parse(JSON.stringify(error));
    expect(json).toMatchObject({ name: 'AuthenticationError', status: 401, requestId: 'req_9' });
    expect(json.headers['x-request-id']).toBe('req_9');
    expect(inspect(error)).toMatch(/^AuthenticationError: key \[REDACTED\] rejected\n\s+at /);
  });

  it('also hide a secret registered after the error was made (a refreshed token)', () => {
    const secrets = new SecretRegistry();
    const error = scrubError(new PristineError('failed', { body: { echoed: LATER } }), secrets);
    secrets.add(LATER);
    expect(JSON.stringify(error)).not.toContain(LATER);
    expect(inspect(error, { depth: Infinity })).not.toContain(LATER);
  });

  it('scrub credential shapes at construction, with no registry at all', () => {
    const error = new PristineError('via http://u:hunter22@proxy:3128 with Bearer abc.def.ghi');
    for (const text of renderings(error)) {
      expect(text).not.toContain('hunter22');
      expect(text).not.toContain('abc.def.ghi');
    }
  });

  it('keep only name, code, message and stack of a library error as the cause', () => {
    const raw = Object.assign(new Error('connect ECONNREFUSED'), {
      code: 'ECONNREFUSED',
      options: { headers: { 'x-api-key': KEY }, agent: { proxy: 'http://u:hunter22@proxy' } },
    });
    const cause = sanitizedCause(raw)!;
    expect(Object.keys(cause).sort()).toEqual(['code', 'name']);
    expect((cause as Error & { code: string }).code).toBe('ECONNREFUSED');
    const text = inspect(new PristineError('Connection error', { cause }), {
      depth: Infinity,
      showHidden: true,
    });
    expect(text).not.toContain(KEY);
    expect(text).not.toContain('hunter22');
  });
});
