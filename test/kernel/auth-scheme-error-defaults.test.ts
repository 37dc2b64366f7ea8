import { describe, expect, it } from '@jest/globals';
import { AuthSchemeError } from '../../src/kernel/errors/plugin-errors.js';

/**
 * Found on review (round 25): `{ category: 'user', ...details }` let an explicit `category: undefined`
 * (details built from optional fields) replace the default, and the error read as 'unknown'.
 */
describe('AuthSchemeError', () => {
  it("is a 'user' error when details give no category, also when they give undefined", () => {
    expect(new AuthSchemeError('no token').category).toBe('user');
    expect(new AuthSchemeError('no token', { category: undefined }).category).toBe('user');
    expect(new AuthSchemeError('no token', { category: 'server' }).category).toBe('server');
  });
});
