import { describe, expect, it } from '@jest/globals';
import { proxyFor } from '../../src/kernel/request/proxy-for.js';

describe('proxyFor', () => {
  const env = {
    HTTPS_PROXY: 'http://u:p@proxy:3128',
    http_proxy: 'http://plain:8080',
    NO_PROXY: 'localhost,.internal,api.local:8443',
  };
  it('prefers the explicit proxy, then the env var for the scheme', () => {
    expect(proxyFor('https://a.test/x', 'http://explicit:1', env)).toBe('http://explicit:1');
    expect(proxyFor('https://a.test/x', undefined, env)).toBe('http://u:p@proxy:3128');
    expect(proxyFor('http://a.test/x', undefined, env)).toBe('http://plain:8080');
    expect(proxyFor('http://a.test/x', undefined, {})).toBeUndefined();
  });
  it('honours NO_PROXY hosts, domain suffixes and host:port entries', () => {
    expect(proxyFor('http://localhost:9/x', undefined, env)).toBeUndefined();
    expect(proxyFor('https://db.internal/x', undefined, env)).toBeUndefined();
    expect(proxyFor('https://api.local:8443/x', undefined, env)).toBeUndefined();
    expect(proxyFor('https://api.local/x', undefined, env)).toBe('http://u:p@proxy:3128');
    expect(proxyFor('https://x.test/', undefined, { ...env, NO_PROXY: '*' })).toBeUndefined();
  });
});
