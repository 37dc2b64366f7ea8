import { describe, expect, it } from '@jest/globals';
import { createKernel } from '../../src/defaults/kernel.js';
import { OptionChecks } from '../../src/kernel/options/option-checks.js';
import { thrown } from '../support/validation-errors.js';

/*
 * Round 34: a URL issue says which case of its rule failed in `code` (and what was found, and advice for
 * programs, apart from the message), so a caller wording it for a person (the Tinkex CLI) neither parses
 * the URL again nor cuts the kernel's message at its punctuation.
 */
const SECRET = 't0p-s3cret';

function issueOf(value: string) {
  const issues = new OptionChecks('options').baseUrl('baseUrl', value).issues;
  expect(issues).toHaveLength(1);
  return issues[0];
}

describe('the cases of a base URL issue', () => {
  it('are told by code, with the offending scheme as `found` and advice apart from the message', () => {
    expect(issueOf('not a url')).toEqual({
      pointer: '/baseUrl',
      rule: 'format',
      code: 'unparsable',
      message: 'must be an absolute URL',
    });
    expect(issueOf('ftp://host/api')).toEqual({
      pointer: '/baseUrl',
      rule: 'format',
      code: 'scheme',
      found: 'ftp:',
      message: 'must use http: or https:, got ftp:',
    });
    expect(issueOf(`https://host/?token=${SECRET}`)).toEqual({
      pointer: '/baseUrl',
      rule: 'format',
      code: 'query',
      message: 'must not have a query: the endpoint path goes after it',
      advice: 'give parameters as `query`',
    });
    expect(issueOf('https://host/api?')).toMatchObject({ code: 'query' });
    expect(issueOf(`https://host/api#${SECRET}`)).toEqual({
      pointer: '/baseUrl',
      rule: 'format',
      code: 'fragment',
      message: 'must not have a fragment: the endpoint path goes after it',
    });
  });

  it('leaves a well-formed base URL without issues', () => {
    expect(new OptionChecks('options').baseUrl('baseUrl', 'https://host/api').issues).toEqual([]);
  });

  it("keep the advice in the error's text for programs, and never the value", () => {
    const error = thrown(() => createKernel({ baseUrl: `http://127.0.0.1:1/?token=${SECRET}` }));
    expect(error.message).toContain(
      '/baseUrl: must not have a query: the endpoint path goes after it; give parameters as `query` (format)',
    );
    expect(error.message).not.toContain(SECRET);
  });
});
