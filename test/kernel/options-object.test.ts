import { describe, expect, it } from '@jest/globals';
import { OptionChecks, optionNames } from '../../src/index.js';
import { thrown } from '../support/validation-errors.js';

interface SaveOptions {
  ttl_seconds?: number;
  overwrite?: boolean;
}

const NAMES = optionNames<SaveOptions>({ ttl_seconds: true, overwrite: true });
const ONLY = { names: NAMES, what: 'a save option' };

/**
 * `OptionChecks.optionsObject` is a method's options argument checked on its own (a plugin's methods take
 * them as Tinkex's do): a default parameter covers only `undefined`, so `null` would crash on the first
 * property read, and a misspelt key would be dropped while the caller believes it is set.
 */
describe('OptionChecks.optionsObject', () => {
  it('is {} when not given and the same object when valid (undefined-valued keys count as not given)', () => {
    expect(OptionChecks.optionsObject<SaveOptions>('save options', undefined, ONLY)).toEqual({});
    const given = { ttl_seconds: 5, overwrite: undefined, colour: undefined } as SaveOptions;
    expect(OptionChecks.optionsObject('save options', given, ONLY)).toBe(given);
  });

  it('refuses anything but an object by rule, naming what it got', () => {
    for (const [value, got] of [
      [null, 'null'],
      [5, '5'],
      ['ttl', '"ttl"'],
      [[1], 'an array'],
    ] as const) {
      const error = thrown(() => OptionChecks.optionsObject('save options', value as never, ONLY));
      expect(error.issues).toEqual([{ pointer: '', rule: 'type', message: `must be an object, got ${got}` }]);
      expect(error.message).toContain('save options');
    }
  });

  it('refuses every unknown own key by its escaped pointer with the nearest name, in one error', () => {
    const inherited = Object.create({ bogus: 1 }) as Record<string, unknown>;
    inherited.ttl_seconds = 1;
    expect(OptionChecks.optionsObject('save options', inherited as SaveOptions, ONLY)).toBe(inherited);

    const error = thrown(() =>
      OptionChecks.optionsObject('save options', { ttl_second: 5, 'a/b~c': 1 } as SaveOptions, ONLY),
    );
    expect(error.issues).toEqual([
      {
        pointer: '/ttl_second',
        rule: 'additionalProperties',
        message: 'is not a save option (did you mean "ttl_seconds"?)',
      },
      { pointer: '/a~1b~0c', rule: 'additionalProperties', message: 'is not a save option' },
    ]);
  });

  it('without names checks only that it is an object (a schema checks the keys later)', () => {
    const given = { anything: 1 };
    expect(OptionChecks.optionsObject('list options', given)).toBe(given);
    expect(thrown(() => OptionChecks.optionsObject('list options', null as never)).issues[0].rule).toBe(
      'type',
    );
  });

  it('OptionChecks.only names the keys of a nested object under its own pointer (`under`)', () => {
    const checks = new OptionChecks('client options', '/client');
    checks.only({ ttl_second: 5, ok: undefined }, NAMES, 'a save option', 'save');
    expect(checks.issues).toEqual([
      {
        pointer: '/client/save/ttl_second',
        rule: 'additionalProperties',
        message: 'is not a save option (did you mean "ttl_seconds"?)',
      },
    ]);
  });
});

/**
 * Defaults under a caller's options: `{ ...defaults, ...given }` lets a member given as `undefined` (which
 * the typed inputs allow, and which every check here counts as not given) replace its default.
 */
describe('OptionChecks.withDefaults', () => {
  const defaults = { window_ms: 1000, concurrency: 4, label: 'x' };
  it('keeps the default of a member given as undefined and takes every other given value', () => {
    expect(OptionChecks.withDefaults(defaults, { window_ms: undefined, concurrency: 0 })).toEqual({
      window_ms: 1000,
      concurrency: 0,
      label: 'x',
    });
    expect(OptionChecks.withDefaults(defaults, undefined)).toEqual(defaults);
  });
  it('returns a new object and leaves the defaults as they were', () => {
    const merged = OptionChecks.withDefaults(defaults, { label: 'y' });
    expect(merged).not.toBe(defaults);
    expect(defaults.label).toBe('x');
  });
});
