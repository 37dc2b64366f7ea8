import { describe, expect, it } from '@jest/globals';
import { OptionChecks, ValidationError, optionNames } from '../../src/index.js';

interface Example {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * `optionNames` is how every option check learns its names. What matters most happens in the compiler
 * (`npm run typecheck` covers this file): a list that forgets an option would refuse a valid one, and a
 * name the type lacks would let a misspelling through.
 */
describe('optionNames', () => {
  it('is the set of the names given, and OptionChecks.only refuses the rest with the nearest name', () => {
    const names = optionNames<Example>({ timeoutMs: true, signal: true });
    expect([...names].sort()).toEqual(['signal', 'timeoutMs']);

    const checks = new OptionChecks('example options');
    checks.only({ timeoutMs: 1, timeout: 5 }, names, 'an example option');
    expect(() => checks.throwIfAny()).toThrow(ValidationError);
    expect(() => checks.throwIfAny()).toThrow(
      /timeout: is not an example option \(did you mean "timeoutMs"\?\)/,
    );

    // The compiler's half (typecheck fails if either line stops being an error):
    // @ts-expect-error `signal` is missing, so the check would refuse a valid option.
    optionNames<Example>({ timeoutMs: true });
    // @ts-expect-error `timeout` is not an option of Example, so the check would let it through.
    optionNames<Example>({ timeoutMs: true, signal: true, timeout: true });
  });
});
