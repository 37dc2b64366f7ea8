import { describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import { redirectTarget } from '../../../src/adapters/transport/follow-redirect.js';
import type { TransportRequest } from '../../../src/ports/transport.js';

const post = (extra: Partial<TransportRequest> = {}): TransportRequest => ({
  method: 'POST',
  url: 'https://api.example.com/v1/things?x=1',
  headers: {
    'content-type': 'application/json',
    'content-length': '2',
    authorization: 'Bearer secret',
    'x-api-key': 'key',
    cookie: 'a=b',
    'user-agent': 'ua',
  },
  body: '{}',
  timeoutMs: 1000,
  redirect: 'follow',
  ...extra,
});

describe('redirectTarget', () => {
  it('resolves a relative location against the request URL', () => {
    expect(redirectTarget(post(), 307, '../other?y=2')?.url).toBe('https://api.example.com/other?y=2');
  });

  it('keeps method, body and credentials on a same-origin 307/308', () => {
    for (const status of [307, 308]) {
      const next = redirectTarget(post(), status, '/v2/things')!;
      expect(next.method).toBe('POST');
      expect(next.body).toBe('{}');
      expect(next.headers.authorization).toBe('Bearer secret');
      expect(next.headers['content-type']).toBe('application/json');
    }
  });

  it('turns a POST into a bodiless GET on 301, 302 and 303, as fetch does', () => {
    for (const status of [301, 302, 303]) {
      const next = redirectTarget(post(), status, '/done')!;
      expect(next.method).toBe('GET');
      expect(next.body).toBeUndefined();
      expect(next.headers['content-type']).toBeUndefined();
      expect(next.headers['content-length']).toBeUndefined();
      expect(next.headers['user-agent']).toBe('ua');
    }
  });

  it('keeps HEAD a HEAD on 303', () => {
    expect(redirectTarget(post({ method: 'HEAD', body: undefined }), 303, '/x')!.method).toBe('HEAD');
  });

  it('drops credentials when the redirect leaves the origin', () => {
    const next = redirectTarget(post({ method: 'GET', body: undefined }), 302, 'https://cdn.example.net/a')!;
    expect(next.url).toBe('https://cdn.example.net/a');
    expect(next.headers).not.toHaveProperty('authorization');
    expect(next.headers).not.toHaveProperty('x-api-key');
    expect(next.headers).not.toHaveProperty('cookie');
    expect(next.headers['user-agent']).toBe('ua');
  });

  it('drops a header whose value is `<scheme> <credential>` when leaving the origin, whatever its name', () => {
    const request = post({ method: 'GET', body: undefined });
    request.headers['x-custom-auth'] = 'Bearer gateway-token';
    request.headers['x-trace'] = 'abc';
    const next = redirectTarget(request, 302, 'https://cdn.example.net/a')!;
    expect(next.headers).not.toHaveProperty('x-custom-auth');
    expect(next.headers['x-trace']).toBe('abc');
    expect(redirectTarget(request, 302, '/same-origin')!.headers['x-custom-auth']).toBe(
      'Bearer gateway-token',
    );
  });

  it('treats a different port or scheme as another origin', () => {
    const get = post({ method: 'GET', body: undefined });
    expect(redirectTarget(get, 302, 'https://api.example.com:8443/a')!.headers).not.toHaveProperty(
      'x-api-key',
    );
    expect(redirectTarget(get, 302, 'http://api.example.com/a')!.headers).not.toHaveProperty('x-api-key');
  });

  it('does not follow when a 307/308 would need a one-shot body again', () => {
    expect(redirectTarget(post({ body: Readable.from(['x']) }), 307, '/again')).toBeUndefined();
  });

  it('does not follow other statuses, a missing location or a non-HTTP scheme', () => {
    expect(redirectTarget(post(), 304, '/x')).toBeUndefined();
    expect(redirectTarget(post(), 302, undefined)).toBeUndefined();
    expect(redirectTarget(post(), 302, 'file:///etc/passwd')).toBeUndefined();
  });

  it('leaves the original request untouched', () => {
    const original = post();
    redirectTarget(original, 302, 'https://elsewhere.example/');
    expect(original.headers.authorization).toBe('Bearer secret');
    expect(original.method).toBe('POST');
  });
});
