import { afterEach, describe, expect, it } from '@jest/globals';
import { requestOrigin } from '../../src/kernel/errors/request-origin.js';

const RealURL = globalThis.URL;

/** Counts the URL parses `requestOrigin` makes (the global URL swapped for a counting subclass). */
function countingParses(): { count: () => number } {
  let parses = 0;
  globalThis.URL = class extends RealURL {
    constructor(...args: ConstructorParameters<typeof URL>) {
      super(...args);
      parses++;
    }
  } as typeof URL;
  return { count: () => parses };
}

afterEach(() => {
  globalThis.URL = RealURL;
});

describe('requestOrigin', () => {
  it('names the same origin as the URL parser, for every shape of URL', () => {
    const urls = [
      'http://127.0.0.1:8080/api/v1/asample',
      'HTTPS://Example.COM:443/a/b?token=secret#x',
      'https://user:pass@host.example/path',
      'http://host.example?x=/y',
      'http://host.example#/y',
      'http://host.example',
      'http://[::1]:3000/x',
      'file:///tmp/x',
      'custom-scheme://host/x',
      'http:\\\\host.example\\x',
    ];
    for (const url of urls) expect(requestOrigin(url)).toBe(new URL(url).origin);
    expect(requestOrigin('not a url')).toBeUndefined();
    expect(requestOrigin('/relative/path')).toBeUndefined();
  });

  // A refused request builds a status error naming its origin; a 5 % fault burst parsed the same
  // base URL once per fault (round 37: a URL parse was a fifth of a status error's cost).
  it('parses a scheme and authority once, however many request paths share them', () => {
    const base = `http://127.0.0.1:${40_000 + Math.floor(Math.random() * 20_000)}`;
    const parses = countingParses();
    const first = requestOrigin(`${base}/api/v1/asample`);
    const afterFirst = parses.count();
    expect(requestOrigin(`${base}/api/v1/retrieve_future`)).toBe(first);
    expect(requestOrigin(`${base}/api/v1/asample`)).toBe(first);
    expect(first).toBe(base);
    expect(parses.count()).toBe(afterFirst);
  });

  it('does not keep an authority that carries credentials, and still names its origin', () => {
    const parses = countingParses();
    expect(requestOrigin('https://user:pw@creds.example/a')).toBe('https://creds.example');
    expect(requestOrigin('https://user:pw@creds.example/b')).toBe('https://creds.example');
    expect(parses.count()).toBe(2);
  });
});
