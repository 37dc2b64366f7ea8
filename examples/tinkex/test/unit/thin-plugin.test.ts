import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? files(full) : full.endsWith('.ts') ? [full] : [];
  });
}

/** The SDK client code (everything but the emulator, which is a server, and the CLI's own I/O). */
const client = files(SRC).filter((f) => !relative(SRC, f).startsWith('emulator'));

describe('Tinkex is a thin plugin', () => {
  it.each([
    [
      'imports an HTTP client',
      /from ['"](node:)?(http|https|http2|net|undici|got|axios|node-fetch)['"]|\bfetch\(/,
    ],
    ['implements its own sleep or timers', /\bset(Timeout|Interval)\(/],
    ['implements its own retry or backoff loop', /2\s*\*\*\s*\w+|Math\.pow\(2/],
    ['implements its own polling of futures', /retrieve_future['"]\s*,\s*\{/],
  ])('no client file %s', (_what, pattern) => {
    const offenders = client
      .filter((f) => pattern.test(readFileSync(f, 'utf8')))
      .map((f) => relative(SRC, f));
    expect(offenders).toEqual([]);
  });
});
