import { OptionChecks } from '../options/option-checks.js';
import { optionNames } from '../options/option-names.js';

export interface ResultOptions {
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

const RESULT_OPTIONS = {
  names: optionNames<ResultOptions>({ timeoutMs: true, signal: true }),
  what: 'a result option',
};

/**
 * `future.result(options)`, checked as a call's options are: a string, NaN or negative `timeoutMs` would
 * otherwise fire the deadline at once, and a `signal` that is not an AbortSignal would throw a TypeError
 * from inside the kernel. Throws one ValidationError naming each field and rule.
 */
export function checkResultOptions(options: unknown): asserts options is ResultOptions {
  const checks = new OptionChecks('future.result options');
  const o = checks.root(options, RESULT_OPTIONS);
  checks.duration('timeoutMs', o.timeoutMs);
  checks.signal('signal', o.signal);
  checks.throwIfAny();
}
