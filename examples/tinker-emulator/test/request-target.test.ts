import { describe, expect, it } from '@jest/globals';
import { requestTarget } from '../src/request-target.js';
import { match, scan } from '../src/router.js';

/** What the server read of a request target before plain paths skipped the URL parser. */
function byUrlParser(target: string) {
  const url = new URL(target, 'http://emulator');
  return {
    path: decodeURIComponent(url.pathname),
    logged: url.pathname + url.search,
    query: [...url.searchParams],
  };
}

const TARGETS = [
  '/api/v1/asample',
  '/api/v1/retrieve_future',
  '/api/v1/training_runs/S:train:0',
  '/api/v1/training_runs/S:train:0/checkpoints/weights/step-1/archive',
  '/',
  '/api//v1/x',
  '/api/v1/checkpoints?limit=2&offset=1',
  '/api/v1/audit?event_type=all&day=2026-12-03',
  '/api/v1/sessions/a%20b',
  '/api/v1/sessions/a b',
  '/api/v1/./asample',
  '/api/v1/x/../asample',
  '/api/v1/.%2e/asample',
  '/api\\v1\\asample',
  '//evil.example/api/v1/asample',
  '/api/v1/asample#frag',
  '/api/v1/asample?',
  '/api/v1/über',
  '/api/v1/a"b<c>d`e{f}g',
  '/downloads/abc-123.tar',
];

describe('requestTarget', () => {
  it.each(TARGETS)('reads %s as the URL parser does (path, logged form, query)', (target) => {
    const ours = requestTarget(target);
    expect({ path: ours.path, logged: ours.logged, query: [...ours.query] }).toEqual(byUrlParser(target));
  });

  it('reads generated targets over the characters that matter as the URL parser does', () => {
    const alphabet = 'aZ09_-:/.%2e?=&# \\ü';
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 2000; i++) {
      let target = '/';
      const length = Math.floor(next() * 12);
      for (let j = 0; j < length; j++) target += alphabet[Math.floor(next() * alphabet.length)];
      let expected: unknown;
      try {
        expected = byUrlParser(target);
      } catch (error) {
        expect(['URIError', 'TypeError']).toContain((error as Error).name);
        expect(requestTarget(target).malformed).toBe(true);
        continue;
      }
      const ours = requestTarget(target);
      expect({ path: ours.path, logged: ours.logged, query: [...ours.query] }).toEqual(expected);
    }
  });

  it('marks a malformed percent-encoding (the server answers 400), where decoding throws', () => {
    expect(requestTarget('/api/v1/sessions/%E0%A4%A')).toMatchObject({
      logged: '/api/v1/sessions/%E0%A4%A',
      malformed: true,
    });
    expect(() => byUrlParser('/api/v1/sessions/%E0%A4%A')).toThrow(URIError);
  });
});

describe('match', () => {
  it('answers every method and path as the ordered scan does, also when asked again', () => {
    const paths = [
      '/api/v1/asample',
      '/api/v1/retrieve_future',
      '/api/v1/healthz',
      '/api/v1/client/config',
      '/api/v1/training_runs',
      '/api/v1/training_runs/S:train:0',
      '/api/v1/training_runs/S:train:1',
      '/api/v1/nope',
      '/downloads/abc.tar',
    ];
    for (let round = 0; round < 3; round++) {
      for (const method of ['POST', 'GET', 'PUT', 'DELETE', 'PATCH']) {
        for (const path of paths) expect(match(method, path)).toEqual(scan(method, path));
      }
    }
  });
});
