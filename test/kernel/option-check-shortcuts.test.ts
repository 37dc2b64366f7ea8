import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  checkCallOptions,
  checkEveryExtraOption,
  checkExtraOptions,
  checkGivenCallOptions,
  nothingToCheck,
  plainlyValidExtras,
  type ExtraMethod,
} from '../../src/kernel/options/check-kernel-options.js';
import { ValidationError } from '../../src/index.js';

/**
 * `checkCallOptions` and `checkExtraOptions` answer the usual options without their full checks
 * (`nothingToCheck`, `plainlyValidExtras`: one function each and no allocation, run for every call and
 * every future). A shortcut may only ever pass what the full check passes; anything it is unsure of
 * must reach the full check and get its error.
 */
const METHODS: ExtraMethod[] = ['submit', 'stream', 'paginate'];
const NAMES = [
  'signal',
  'timeoutMs',
  'headers',
  'maxRetries',
  'idempotencyKey',
  'onQueueState',
  'resubmitInput',
  'callerSignalOnly',
  'maxResultBytes',
  'resultBudgetKey',
  'after',
  'pageSize',
  'idleTimeoutMs',
  'maxReconnects',
  'timeout',
  'signals',
  'query',
  'baseUrl',
  'auth',
];
const VALUES: unknown[] = [
  undefined,
  null,
  true,
  false,
  0,
  -1,
  1,
  2.5,
  Number.NaN,
  'x',
  '',
  () => {},
  new AbortController().signal,
  {},
  [],
];

const throws = (run: () => void): boolean => {
  try {
    run();
    return false;
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return true;
  }
};

describe('checkExtraOptions shortcut', () => {
  it('passes only options the full check passes, and refuses exactly what it refuses', () => {
    const entry = fc.tuple(fc.constantFrom(...NAMES), fc.constantFrom(...VALUES));
    fc.assert(
      fc.property(fc.constantFrom(...METHODS), fc.array(entry, { maxLength: 5 }), (method, entries) => {
        const options = Object.fromEntries(entries);
        const full = throws(() => checkEveryExtraOption(method, 'e', options));
        if (plainlyValidExtras(method, options)) expect(full).toBe(false);
        expect(throws(() => checkExtraOptions(method, 'e', options))).toBe(full);
      }),
      { numRuns: 3000 },
    );
  });

  it("answers a future's usual options itself: a queue-state callback, the caller-signal flag and a signal", () => {
    const usual = { onQueueState: () => {}, signal: undefined, callerSignalOnly: true };
    expect(plainlyValidExtras('submit', usual)).toBe(true);
    expect(plainlyValidExtras('submit', { ...usual, signal: new AbortController().signal })).toBe(true);
  });

  it('leaves to the full check what it cannot answer for: numbers, other types, names, prototypes', () => {
    expect(plainlyValidExtras('submit', { maxResultBytes: 10 })).toBe(false);
    expect(plainlyValidExtras('submit', { onQueueState: 'no' })).toBe(false);
    expect(plainlyValidExtras('stream', { onQueueState: () => {} })).toBe(false);
    expect(plainlyValidExtras('submit', { signal: {} })).toBe(false);
    expect(plainlyValidExtras('submit', [])).toBe(false);
    expect(plainlyValidExtras('submit', 'x')).toBe(false);
    // An inherited value is read by the full check's rules, but not listed by its name check.
    const inherited = Object.create({ maxResultBytes: -1 }) as object;
    expect(plainlyValidExtras('submit', inherited)).toBe(false);
    expect(() => checkExtraOptions('submit', 'e', inherited)).toThrow(ValidationError);
    class Options {
      get callerSignalOnly(): unknown {
        return 'yes';
      }
    }
    expect(plainlyValidExtras('submit', new Options())).toBe(false);
    expect(() => checkExtraOptions('submit', 'e', new Options())).toThrow(ValidationError);
  });
});

describe('checkCallOptions shortcut', () => {
  it('passes only options the full check passes, and refuses exactly what it refuses', () => {
    const entry = fc.tuple(fc.constantFrom(...NAMES), fc.constantFrom(...VALUES));
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 4 }), (entries) => {
        const options = Object.fromEntries(entries);
        const full = throws(() => checkGivenCallOptions(options, 'e'));
        if (nothingToCheck(options)) expect(full).toBe(false);
        expect(throws(() => checkCallOptions(options, 'e'))).toBe(full);
      }),
      { numRuns: 3000 },
    );
  });

  it('answers no options and a lone signal itself', () => {
    expect(nothingToCheck({})).toBe(true);
    expect(nothingToCheck({ signal: undefined, timeoutMs: undefined })).toBe(true);
    expect(nothingToCheck({ signal: new AbortController().signal })).toBe(true);
    expect(nothingToCheck(Object.create(null) as object)).toBe(true);
    // Compression turned off (a plugin passes its flag as `compress: false` on every call).
    expect(nothingToCheck({ signal: new AbortController().signal, compress: false })).toBe(true);
    expect(nothingToCheck({ compress: true })).toBe(false);
    expect(nothingToCheck({ signal: new AbortController().signal, timeoutMs: 5 })).toBe(false);
    expect(nothingToCheck({ signal: 'no' })).toBe(false);
  });

  it('checks options inherited from another prototype (they were skipped as "no options" before)', () => {
    const inherited = Object.create(Object.defineProperty({}, 'timeoutMs', { value: 0 })) as object;
    expect(nothingToCheck(inherited)).toBe(false);
    expect(() => checkCallOptions(inherited, 'e')).toThrow(ValidationError);
  });
});
