import { describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import { ValidationError } from 'pristine-kernel';
import { getTokenizer } from '../../src/tokenizer/get-tokenizer.js';
import { startFakeHub } from '../support/fake-hub/index.js';

/**
 * Found in review (round 25): the standalone `getTokenizer(model, options)` took any keys, so a misspelt
 * `revison` loaded `main` and a misspelt `cacheDirr` downloaded into the default cache, without a word,
 * while a client's `getTokenizer` refused both by name. Nothing may reach the Hub before the check.
 */
describe('getTokenizer(model, options) checks its options before anything is fetched', () => {
  // Every row has a hint (empty: none expected): a shorter row would get jest's `done` in its place.
  const cases: [string, unknown, string, string, string][] = [
    ['a misspelt revision', { revison: 'main' }, '/revison', 'additionalProperties', 'revision'],
    ['a misspelt cacheDir', { cacheDirr: '/tmp/x' }, '/cacheDirr', 'additionalProperties', 'cacheDir'],
    [
      'a misspelt tokenizer_id',
      { tokenizerId: 'acme/tok' },
      '/tokenizerId',
      'additionalProperties',
      'tokenizer_id',
    ],
    ['null', null, '', 'type', ''],
    ['a revision that is a number', { revision: 3 }, '/revision', 'type', ''],
    ['an empty revision', { revision: '' }, '/revision', 'minLength', ''],
    ['a tokenizer_id that is a number', { tokenizer_id: 7 }, '/tokenizer_id', 'type', ''],
    ['a NaN timeoutMs', { timeoutMs: Number.NaN }, '/timeoutMs', 'finite', ''],
    ['a token that is a number', { token: 5 }, '/token', 'type', ''],
  ];

  it.each(cases)('refuses %s by name and rule', async (_name, options, pointer, rule, hint) => {
    const hub = await startFakeHub();
    try {
      const given = { hubUrl: hub.url, env: {}, ...(options as object) };
      const error = await getTokenizer('acme/tok', (options === null ? null : given) as never).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ValidationError);
      const issues = (error as ValidationError).issues;
      expect(issues).toEqual([expect.objectContaining({ pointer, rule })]);
      if (hint) expect(issues[0].message).toContain(`did you mean "${hint}"`);
      expect(hub.requests).toHaveLength(0);
    } finally {
      await hub.close();
    }
  });

  it('rejects the promise (a caller awaiting it sees the error, not a synchronous throw)', () => {
    // Offline and on loopback: before the fix, the call went on to look for the tokenizer.
    const offline = { hubUrl: 'http://127.0.0.1:9', env: {}, offline: true };
    const result = getTokenizer('acme/tok', { ...offline, revison: 'main' } as never);
    expect(result).toBeInstanceOf(Promise);
    return expect(result).rejects.toBeInstanceOf(ValidationError);
  });

  it('never echoes the token', async () => {
    const options = { hubUrl: 'http://127.0.0.1:9', env: {}, offline: true, token: 'hf_secret_value' };
    const error = await getTokenizer('acme/tok', { ...options, cacheDirr: 'x' } as never).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(inspect(error)).not.toContain('hf_secret_value');
  });
});
