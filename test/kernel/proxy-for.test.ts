import { describe, expect, it } from '@jest/globals';
import { ProxyResolver, proxyFor } from '../../src/kernel/request/proxy-for.js';
import { SecretRegistry } from '../../src/kernel/secret-registry.js';
import { CaptureLogger } from '../../src/adapters/logger/capture-logger.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { Ports } from '../../src/ports/index.js';
import { closedPort } from '../support/closed-port.js';

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

describe('ProxyResolver', () => {
  it('reads the environment once: later changes do not apply to this kernel', () => {
    const env: NodeJS.ProcessEnv = { HTTP_PROXY: 'http://first:1' };
    const resolver = new ProxyResolver({}, env);
    env.HTTP_PROXY = 'http://second:2';
    env.NO_PROXY = '*';
    expect(resolver.resolve('http://a.test/x')).toBe('http://first:1');
  });
  it('answers per origin: scheme, host and port all count', () => {
    const resolver = new ProxyResolver(
      {},
      {
        HTTP_PROXY: 'http://plain:8080',
        HTTPS_PROXY: 'http://secure:3128',
        NO_PROXY: 'a.test:8443,skip.test',
      },
    );
    expect(resolver.resolve('http://a.test/x?y=1')).toBe('http://plain:8080');
    expect(resolver.resolve('https://a.test/x')).toBe('http://secure:3128');
    expect(resolver.resolve('https://a.test:8443/x')).toBeUndefined();
    expect(resolver.resolve('https://a.test/again')).toBe('http://secure:3128');
    expect(resolver.resolve('http://skip.test')).toBeUndefined();
    expect(resolver.resolve('http://user@b.test:81#frag')).toBe('http://plain:8080');
  });
  it('returns the explicit proxy for everything, and nothing without one', () => {
    expect(new ProxyResolver({ proxy: 'http://explicit:1' }, {}).resolve('https://a.test')).toBe(
      'http://explicit:1',
    );
    expect(new ProxyResolver({}, {}).resolve('https://a.test')).toBeUndefined();
  });
});

describe('a proxy variable without a scheme (HTTPS_PROXY=proxy.corp:3128)', () => {
  // Found by hand: curl, Python's httpx (the official SDK) and requests read `host:port` as
  // `http://host:port`; here it failed every call with "Connection error … ERR_INVALID_URL" (or, with
  // `user:pass@host:port`, UND_ERR_INVALID_ARG), sending the user to check TINKER_BASE_URL, and the
  // password was not registered as a secret (`new URL` read `user:` as the scheme).
  it('is an http:// proxy, as curl and httpx read it', () => {
    expect(proxyFor('https://a.test/x', undefined, { HTTPS_PROXY: 'proxy.corp:3128' })).toBe(
      'http://proxy.corp:3128',
    );
    expect(proxyFor('http://a.test/x', undefined, { http_proxy: 'u:p@proxy.corp:3128' })).toBe(
      'http://u:p@proxy.corp:3128',
    );
    expect(new ProxyResolver({}, { HTTP_PROXY: '127.0.0.1:8080' }).resolve('http://a.test')).toBe(
      'http://127.0.0.1:8080',
    );
  });

  it('has its password registered as a secret', () => {
    const secrets = new SecretRegistry();
    secrets.addProxyCredentials(undefined, { HTTPS_PROXY: 'alice:pr0xy-pass@proxy.corp:3128' });
    expect(secrets.scrub('via alice:pr0xy-pass@proxy.corp')).not.toContain('pr0xy-pass');
  });
});

// Round 37: with HTTPS_PROXY set (or the proxy option), TINKER_LOG=debug never said a proxy was used, so
// a person whose calls went to a corporate proxy could not see it from the SDK's own log.
describe('which proxy a call goes through, at debug level', () => {
  const env = {
    HTTPS_PROXY: 'http://alice:pr0xy-pass@proxy.corp:3128',
    NO_PROXY: 'localhost,.internal',
  };

  it('is one debug line per origin: the proxy host:port and the variable, never its credentials', () => {
    const logger = new CaptureLogger();
    const resolver = new ProxyResolver({}, env);
    resolver.resolve('https://api.test/a', logger);
    resolver.resolve('https://api.test/b', logger);
    resolver.resolve('https://db.internal/x', logger);
    expect(logger.records.map((r) => [r.level, r.message])).toEqual([
      ['debug', 'https://api.test goes through proxy proxy.corp:3128 (HTTPS_PROXY)'],
      [
        'debug',
        'https://db.internal goes direct, not through proxy proxy.corp:3128: NO_PROXY has ".internal"',
      ],
    ]);
    const written = JSON.stringify(logger.records);
    expect(written).not.toContain('pr0xy-pass');
    expect(written).not.toContain('alice');
  });

  it('says so for the proxy option once, and for a kernel as it sends (real logger wiring)', async () => {
    const port = await closedPort();
    const logger = new CaptureLogger();
    const kernel = createKernel({ proxy: `http://bob:0pt-secret@127.0.0.1:${port}` }).use(
      definePlugin({
        name: 'svc',
        version: '1',
        defaults: { baseUrl: 'http://api.test:8080', maxRetries: 0 },
        manifest: { name: 'svc', version: '1', endpoints: [{ id: 'ping', method: 'GET', path: '/ping' }] },
      }),
    );
    kernel.register(Ports.Logger, logger);
    await kernel.call('ping', {}).catch(() => undefined);
    await kernel.call('ping', {}).catch(() => undefined);
    await kernel.close();
    const lines = logger.records.filter((r) => r.message.includes('through proxy'));
    expect(lines.map((r) => [r.level, r.message])).toEqual([
      ['debug', `requests go through proxy 127.0.0.1:${port} (the proxy option)`],
    ]);
    const written = JSON.stringify(logger.records);
    expect(written).not.toContain('0pt-secret');
    expect(written).not.toContain('bob');
  });

  // Round 38: a plugin that reads its own variable into the proxy setting (Tinkex's TINKEX_PROXY) had it
  // called "the proxy option", so a person who never passed one looked for it in their code.
  it('names the setting a plugin says the proxy came from, and still no credentials', () => {
    const logger = new CaptureLogger();
    const proxy = 'http://carol:v4r-secret@proxy.corp:3128';
    new ProxyResolver({ proxy, proxySource: 'MY_SDK_PROXY' }, {}).resolve('https://api.test/a', logger);
    new ProxyResolver({ proxy }, {}).resolve('https://api.test/a', logger);
    expect(logger.records.map((r) => r.message)).toEqual([
      'requests go through proxy proxy.corp:3128 (MY_SDK_PROXY)',
      'requests go through proxy proxy.corp:3128 (the proxy option)',
    ]);
    expect(JSON.stringify(logger.records)).not.toMatch(/v4r-secret|carol/);
  });
});
