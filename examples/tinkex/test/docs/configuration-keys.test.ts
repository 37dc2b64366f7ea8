import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ValidationError } from 'pristine-kernel';
import { OPTION_NAMES } from '../../src/config-checks.js';
import { resolveConfig } from '../../src/config.js';

const DOC = readFileSync(
  fileURLToPath(new URL('../../../../docs/configuration.md', import.meta.url)),
  'utf8',
);

/** The rows of the first markdown table after `heading`: first cell → the other cells. */
function table(heading: string): Map<string, string[]> {
  const start = DOC.indexOf(heading);
  expect(start).toBeGreaterThan(-1);
  const lines = DOC.slice(start).split('\n');
  const first = lines.findIndex((line) => line.startsWith('| '));
  const end = lines.findIndex((line, k) => k > first && !line.startsWith('|'));
  const cells = (row: string) =>
    row
      .slice(2, -2)
      .split(' | ')
      .map((cell) => cell.trim());
  return new Map(
    lines
      .slice(first + 2, end)
      .map(cells)
      .map(([name, ...rest]) => [name, rest]),
  );
}

/**
 * Found on review: `shared` (fleet-wide limits through Redis) was missing from docs/configuration.md, so
 * a reader of the configuration page could not find it. Every ServiceClient option is named there, and
 * each key of `shared` has a row (type, default, meaning) that matches what the code does.
 */
describe('docs/configuration.md names every ServiceClient option', () => {
  it.each([...OPTION_NAMES])('`%s`', (name) => {
    expect(DOC).toContain(`\`${name}\``);
  });

  it('documents each key of `shared` with its type and default, as the code checks them', () => {
    const rows = table('### Fleet-wide limits (`shared`)');
    expect([...rows.keys()]).toEqual(['`shared.redis`', '`shared.on_unavailable`']);
    expect(rows.get('`shared.redis`')!.slice(0, 2)).toEqual([
      'string (`redis://` or `rediss://` URL)',
      '— (required)',
    ]);
    expect(rows.get('`shared.on_unavailable`')!.slice(0, 2)).toEqual([
      "`'local'` or `'reject'`",
      "`'local'`",
    ]);
    const base = { api_key: 'tml-docs', env: {} };
    // What the rows say is what the code does: the default, the accepted values and the refusals.
    expect(resolveConfig({ ...base, shared: { redis: 'rediss://h:6380' } })).toMatchObject({
      shared_on_unavailable: undefined, // the kernel's default: 'local'
    });
    expect(() => resolveConfig({ ...base, shared: { redis: 'http://h' } })).toThrow(ValidationError);
    expect(() =>
      resolveConfig({ ...base, shared: { redis: 'redis://h', on_unavailable: 'open' as 'local' } }),
    ).toThrow(/shared\/on_unavailable/);
  });

  it('refuses a key of `shared` that does not exist instead of ignoring it', () => {
    const options = { api_key: 'tml-docs', env: {}, shared: { redis: 'redis://h', onUnavailable: 'reject' } };
    expect(() => resolveConfig(options as never)).toThrow(
      /shared\/onUnavailable.*is not a shared option \(did you mean "on_unavailable"\?\)/,
    );
  });
});
