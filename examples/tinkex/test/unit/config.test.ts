import { describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import { resolveConfig, ServiceClient, ValidationError, DEFAULT_BASE_URL } from '../../src/index.js';
import { tinkerPlugin } from '../../src/plugin/tinker-plugin.js';
import { maxRetriesGiven, type ResolvedConfig } from '../../src/config.js';
import { CredentialSource } from '../../src/protocol/credential.js';
import { TinkerHolders } from '../../src/protocol/holders.js';
import { TinkerProtocol } from '../../src/protocol/tinker-protocol.js';

const protocolFor = (config: ResolvedConfig) => {
  const credential = new CredentialSource(config.api_key, config.credential_cmd, Date.now);
  return new TinkerHolders(new TinkerProtocol(credential), new TinkerProtocol(credential));
};

describe('ServiceClient configuration', () => {
  it('layers options over environment over defaults', () => {
    const env = {
      TINKER_API_KEY: 'tml-from-env',
      TINKER_BASE_URL: 'http://env.test/',
      TINKER_TAGS: 'a,b,a',
      TINKER_PROJECT_ID: 'p1',
      TINKER_TELEMETRY: '0',
      TINKER_LOG: 'debug',
    };
    const fromEnv = resolveConfig({ env });
    expect(fromEnv.base_url).toBe('http://env.test');
    expect(fromEnv.tags).toEqual(['a', 'b']);
    expect(fromEnv.project_id).toBe('p1');
    expect(fromEnv.telemetry).toBe(false);
    expect(fromEnv.log_level).toBe('debug');
    expect(fromEnv.max_retries).toBe(10);
    const fromOptions = resolveConfig({
      env,
      api_key: 'tml-option',
      base_url: 'http://opt.test',
      tags: ['z'],
      telemetry: true,
    });
    expect(fromOptions.api_key?.reveal()).toBe('tml-option');
    expect(fromOptions.base_url).toBe('http://opt.test');
    expect(fromOptions.tags).toEqual(['z']);
    expect(fromOptions.telemetry).toBe(true);
    expect(resolveConfig({ env: { TINKER_API_KEY: 'tml-x' } }).base_url).toBe(DEFAULT_BASE_URL);
  });

  it('limits sample submissions in flight to 400 by default, or to the option, which must be ≥ 1', () => {
    const env = { TINKER_API_KEY: 'tml-x' };
    expect(
      tinkerPlugin(resolveConfig({ env }), protocolFor(resolveConfig({ env }))).concurrency?.sampling
        ?.maxConcurrent,
    ).toBe(400);
    expect(
      tinkerPlugin(
        resolveConfig({ env, sample_dispatch_concurrency: 64 }),
        protocolFor(resolveConfig({ env })),
      ).concurrency?.sampling?.maxConcurrent,
    ).toBe(64);
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => resolveConfig({ env, sample_dispatch_concurrency: bad })).toThrow(
        /sample_dispatch_concurrency: must be an integer ≥ 1/,
      );
    }
  });

  it('adds Cloudflare Access headers from the environment', () => {
    const config = resolveConfig({
      env: {
        TINKER_API_KEY: 'tml-x',
        CLOUDFLARE_ACCESS_CLIENT_ID: 'cid',
        CLOUDFLARE_ACCESS_CLIENT_SECRET: 'csecret',
      },
    });
    expect(config.default_headers).toEqual({
      'CF-Access-Client-Id': 'cid',
      'CF-Access-Client-Secret': 'csecret',
    });
  });

  it('treats a Cloudflare Access token set by hand, in any letter case, as a credential', async () => {
    const [id, secret] = ['cf-id-by-hand-7d1e', 'cf-secret-by-hand-93ab'];
    let scrub: ((text: string) => string) | undefined;
    const service = new ServiceClient({
      api_key: 'tml-x',
      env: {},
      telemetry: false,
      default_headers: { 'cf-access-client-id': id, 'CF-ACCESS-CLIENT-SECRET': secret, 'x-team': 'ml' },
      configureKernel: (kernel) => {
        scrub = (text) => kernel.secrets.scrub(text);
      },
    });
    expect(scrub!(`${id} ${secret} ml`)).toBe('[REDACTED] [REDACTED] ml');
    const printed = inspect(service.config) + JSON.stringify(service.config);
    expect(printed).not.toContain(id);
    expect(printed).not.toContain(secret);
    expect(printed).toContain("'x-team': 'ml'");
    await service.close();
  });

  it('hides base-URL credentials and `Bearer …` header values in util.inspect and JSON of the config', async () => {
    let scrub: ((text: string) => string) | undefined;
    const service = new ServiceClient({
      api_key: 'tml-x',
      env: {},
      telemetry: false,
      base_url: 'http://gateway-user:gw-pass-5e1f@127.0.0.1:9/v1',
      default_headers: { 'X-Custom-Auth': 'Bearer gw-token-77c2', 'x-team': 'ml' },
      configureKernel: (kernel) => {
        scrub = (text) => kernel.secrets.scrub(text);
      },
    });
    const printed = inspect(service, { depth: 8 }) + JSON.stringify(service.config);
    expect(printed).not.toContain('gw-pass-5e1f');
    expect(printed).not.toContain('gw-token-77c2');
    expect(printed).toContain('http://***:***@127.0.0.1:9/v1');
    expect(printed).toContain("'x-team': 'ml'");
    // The request still carries them: only what is printed changes.
    expect(service.config.base_url).toContain('gw-pass-5e1f');
    expect(scrub!('sent gw-token-77c2 and Bearer gw-token-77c2')).not.toContain('gw-token-77c2');
    await service.close();
  });

  it('rejects a key without the tml- prefix, without echoing it', () => {
    const error = (() => {
      try {
        new ServiceClient({ api_key: 'sk-super-secret-value', env: {} });
      } catch (e) {
        return e as ValidationError;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect(error!.message).toContain('tml-');
    expect(error!.message).not.toContain('super-secret');
    expect(() => new ServiceClient({ env: {} })).toThrow(/api_key/);
  });

  it("whether max_retries was given is the resolved config's own, no member of the client", () => {
    // Round 32 added a public `maxRetriesGiven` to ServiceClient for the archive URL's retry count:
    // API surface nobody asked for. The config keeps it, and shows no new field for it.
    const env = { TINKER_API_KEY: 'tml-x' };
    const given = new ServiceClient({ env, max_retries: 0, base_url: 'http://127.0.0.1:9' });
    const plain = new ServiceClient({ env, base_url: 'http://127.0.0.1:9' });
    for (const service of [given, plain]) {
      expect('maxRetriesGiven' in service).toBe(false);
      expect(Object.keys(service.config)).toEqual(Object.keys(resolveConfig({ env })));
      // Nor does the mark show where a person reads the config.
      expect(JSON.stringify(service.config)).not.toMatch(/given/i);
      expect(inspect(service.config)).not.toMatch(/given/i);
    }
    expect(maxRetriesGiven(given.config)).toBe(true);
    expect(maxRetriesGiven(plain.config)).toBe(false);
    expect(given.config.max_retries).toBe(0);
    expect(plain.config.max_retries).toBe(10);
  });

  it('never shows the key in util.inspect or JSON of the client', () => {
    const client = new ServiceClient({
      api_key: 'tml-very-secret-key-123',
      env: {},
      base_url: 'http://127.0.0.1:9',
    });
    expect(inspect(client, { depth: 6 })).not.toContain('very-secret');
    expect(JSON.stringify(client.config)).not.toContain('very-secret');
  });
});
