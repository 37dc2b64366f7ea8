import { describe, expect, it } from '@jest/globals';
import { decodeJwtClaims, expiryMs, looksLikeJwt, refreshDelayMs } from '../../src/protocol/jwt.js';

/** An unsigned JWT with `claims` as its payload (the signature is never checked client-side). */
const jwt = (claims: unknown) =>
  `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;

describe('JWT claims', () => {
  it('takes a three-part eyJ… token for a JWT, and nothing else', () => {
    expect(looksLikeJwt(jwt({ exp: 1 }))).toBe(true);
    expect(looksLikeJwt('tml-0123456789abcdef')).toBe(false);
    // An eyJ… prefix alone, or three dotted parts alone, is not one.
    expect(looksLikeJwt('eyJhbGciOiJub25lIn0.e30')).toBe(false);
    expect(looksLikeJwt('tml-abc.def.ghi')).toBe(false);
  });

  it('reads exp in seconds as ms since the epoch; a missing, non-numeric or non-finite exp is no expiry', () => {
    expect(expiryMs(jwt({ exp: 1_800_000_000 }))).toBe(1_800_000_000_000);
    expect(expiryMs(jwt({ sub: 'user' }))).toBeUndefined();
    expect(expiryMs(jwt({ exp: '1800000000' }))).toBeUndefined();
    // JSON has no Infinity, but 1e999 parses to it: a token that "never expires" is not trusted as such.
    const forever = `eyJhbGciOiJub25lIn0.${Buffer.from('{"exp":1e999}').toString('base64url')}.c2ln`;
    expect(expiryMs(forever)).toBeUndefined();
  });

  it('gives no claims for a payload that is not a JSON object', () => {
    expect(decodeJwtClaims(jwt(42))).toBeUndefined();
    expect(decodeJwtClaims(jwt(null))).toBeUndefined();
    expect(decodeJwtClaims('eyJhbGciOiJub25lIn0.!!!.c2ln')).toBeUndefined();
    expect(decodeJwtClaims('no-dots')).toBeUndefined();
    expect(decodeJwtClaims(jwt({ sub: 'user', exp: 5 }))).toEqual({ sub: 'user', exp: 5 });
  });

  it('gives a token that expires the moment it is issued the 10 s gap, as one expired on arrival', () => {
    const now = 1_700_000_000_000;
    expect(refreshDelayMs(now, now)).toBe(10_000);
    expect(refreshDelayMs(now + 1, now)).toBe(1_000);
  });

  it('refreshes a token with exactly the 300 s lead left half-way, as one with less', () => {
    const now = 1_700_000_000_000;
    // A server issuing 5-minute tokens is plausible: with the lead rule at exactly 300 s (`>=`), each
    // would be refreshed 10 s after issue, 15 times as many exchanges as half-way.
    expect(refreshDelayMs(now + 300_000, now)).toBe(150_000);
    expect(refreshDelayMs(now + 299_000, now)).toBe(149_500);
  });
});
