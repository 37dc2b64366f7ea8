import { describe, expect, it } from '@jest/globals';
import { rateLimitBucket } from '../../src/kernel/pipeline/stages/rate-limit.js';
import type { CallContext } from '../../src/kernel/pipeline/context.js';
import type { AuthScheme } from '../../src/ports/auth.js';

/** A scheme whose fingerprint changes with its token, as a token provider's does. */
class RotatingScheme implements AuthScheme {
  readonly name = 'rotating';
  readonly secretHeaders = [];
  fingerprint = 'fp-1';
  apply(): void {}
  identity(): string {
    return this.fingerprint;
  }
}

const call = (baseUrl: string, auth?: AuthScheme) =>
  ({ options: { baseUrl }, auth }) as unknown as CallContext;

// The bucket string is remembered per scheme; what it is built from must still decide it on every call.
describe('rateLimitBucket', () => {
  it('follows the base URL and the scheme fingerprint of every call', () => {
    const scheme = new RotatingScheme();
    expect(rateLimitBucket(call('http://a', scheme))).toBe('http://a|fp-1');
    expect(rateLimitBucket(call('http://a', scheme))).toBe('http://a|fp-1');
    expect(rateLimitBucket(call('http://b', scheme))).toBe('http://b|fp-1');
    scheme.fingerprint = 'fp-2';
    expect(rateLimitBucket(call('http://b', scheme))).toBe('http://b|fp-2');
    expect(rateLimitBucket(call('http://a', new RotatingScheme()))).toBe('http://a|fp-1');
    expect(rateLimitBucket(call('http://a'))).toBe('http://a|anonymous');
    expect(rateLimitBucket(call('http://c'))).toBe('http://c|anonymous');
  });
});
