import { describe, expect, it } from '@jest/globals';
import vm from 'node:vm';
import {
  REDACTED,
  Secret,
  SecretRegistry,
  redactHeaders,
  redactUrl,
  redactValue,
} from '../../src/kernel/redact.js';

// Every kind of value redactValue walks, each with its own rule (split from redact.test.ts for size).
describe('redactValue, every kind of value', () => {
  it('walks errors (also from another realm), URLs, Maps and Secrets like everything else', () => {
    const secrets = new SecretRegistry();
    secrets.add('registered-key-1234');
    // A plain Error scrubs nothing itself (PristineErrors do): redactValue must.
    const error = Object.assign(new Error('sent registered-key-1234'), { code: { token: 'abc' } });
    const foreign = vm.runInNewContext('new Error("Bearer abc.def")') as Error;
    expect(
      redactValue(
        {
          error,
          foreign,
          url: new URL('https://u:p@h/?token=t'),
          map: new Map<string, unknown>([
            ['password', 'pw'],
            ['n', 1],
          ]),
          wrapped: new Secret('s3cret-value'),
        },
        { secrets },
      ),
    ).toEqual({
      error: { name: 'Error', message: `sent ${REDACTED}`, code: { token: REDACTED } },
      foreign: { name: 'Error', message: `Bearer ${REDACTED}` },
      url: `https://***:***@h/?token=${REDACTED}`,
      map: new Map<string, unknown>([
        ['password', REDACTED],
        ['n', 1],
      ]),
      wrapped: REDACTED,
    });
  });

  it('masks URL strings by the URL rules (presigned signatures, codes), not only by credential shapes', () => {
    expect(redactValue('https://h/f?X-Amz-Signature=abc123&code=xyz&n=1')).toBe(
      `https://h/f?X-Amz-Signature=${REDACTED}&code=${REDACTED}&n=1`,
    );
  });

  it('walks 10 levels deep by default, or maxDepth, then says what it cut', () => {
    const nest = (levels: number): unknown => (levels === 0 ? { leaf: 1 } : { a: nest(levels - 1) });
    expect(redactValue(nest(10))).toEqual(nest(10));
    expect(JSON.stringify(redactValue(nest(11)))).toContain('"a":"[Object]"');
    expect(redactValue(nest(2), { maxDepth: 1 })).toEqual({ a: { a: '[Object]' } });
  });

  it('keeps absent header values, empty parameters, and names proxy and password credentials', () => {
    expect(
      redactHeaders({ authorization: null, 'proxy-authorization': 'rawcredential', 'x-db-passwd': 'p' }),
    ).toEqual({ authorization: null, 'proxy-authorization': REDACTED, 'x-db-passwd': REDACTED });
    expect(redactUrl('https://h/?token=&x=1')).toBe('https://h/?token=&x=1');
  });
});
