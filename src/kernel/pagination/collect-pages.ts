import { OptionChecks } from '../options/option-checks.js';

const TO_ARRAY_OPTIONS = { names: new Set(['max']), what: 'a toArray option' };

/**
 * `toArray({ max })` of a page iterable: the first `max` items (all by default), fetching no page past
 * them. The options are checked first, as a call's are: a misspelt key, a string or NaN bound would
 * otherwise fetch every page (the bound dropped, or never reached), and `null` would throw a TypeError.
 * `max` is a count ≥ 0, or Infinity. Exported so that a plugin wrapping pages (a deadline per iteration)
 * collects them the same way.
 */
export async function collectPages<T>(items: () => AsyncIterable<T>, options: unknown = {}): Promise<T[]> {
  const checks = new OptionChecks('toArray options');
  const o = checks.root(options, TO_ARRAY_OPTIONS);
  if (o.max !== Number.POSITIVE_INFINITY) checks.integer('max', o.max, 0);
  checks.throwIfAny();
  const max = (o.max as number | undefined) ?? Number.POSITIVE_INFINITY;
  const out: T[] = [];
  if (max <= 0) return out;
  for await (const item of items()) {
    out.push(item);
    if (out.length >= max) break;
  }
  return out;
}
