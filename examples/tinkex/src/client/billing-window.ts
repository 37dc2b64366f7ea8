import { ValidationError } from 'pristine-kernel';
import { startsWithCalendarDate } from '../calendar-date.js';

type ValidationIssue = ValidationError['issues'][number];

const HOUR_MS = 3_600_000;
/** The longest window `billing/usage/events` answers. */
const MAX_BILLING_WINDOW_MS = 14 * 24 * HOUR_MS;

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([zZ]|[+-]\d{2}:\d{2})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A bound of the window as sent, or the rule it breaks (`format`, `hour`) and why. */
export type BillingBound =
  | { ok: true; timestamp: string; at: number }
  | { ok: false; rule: 'required' | 'format' | 'hour'; message: string };

/**
 * One bound of a billing window: RFC 3339 with a zone on a UTC hour boundary (the API's rule), a plain
 * date (its midnight UTC, what a person types for a day's usage), or a `Date`.
 */
export function billingBound(value: Date | string): BillingBound {
  // A JavaScript caller can leave a bound out; "expected an RFC 3339 timestamp" would not say that.
  if (value === undefined || value === null) return { ok: false, rule: 'required', message: 'is required' };
  const text =
    value instanceof Date
      ? Number.isNaN(value.getTime())
        ? undefined
        : value.toISOString()
      : DATE.test(value)
        ? `${value}T00:00:00Z`
        : value;
  const at = text === undefined ? Number.NaN : Date.parse(text);
  if (text === undefined || !RFC3339.test(text) || Number.isNaN(at) || !startsWithCalendarDate(text))
    return {
      ok: false,
      rule: 'format',
      message: 'expected an RFC 3339 timestamp or a date, such as 2026-07-13T00:00:00Z or 2026-07-13.',
    };
  if (at % HOUR_MS !== 0)
    return { ok: false, rule: 'hour', message: 'must be on a UTC hour boundary (…T13:00:00Z).' };
  return { ok: true, timestamp: text, at };
}

/**
 * The window `getBillingUsage` sends, checked as the API checks it (each bound, then ending after
 * starting and at most 14 days), so a bad one is a `ValidationError` naming the field before anything
 * is sent instead of the server's 400.
 */
export function billingWindow(
  starting_on: Date | string,
  ending_before: Date | string,
): { starting_on: string; ending_before: string } {
  const issues: ValidationIssue[] = [];
  const from = billingBound(starting_on);
  const to = billingBound(ending_before);
  if (!from.ok) issues.push({ pointer: '/starting_on', rule: from.rule, message: from.message });
  if (!to.ok) issues.push({ pointer: '/ending_before', rule: to.rule, message: to.message });
  const span = from.ok && to.ok ? spanProblem(from.at, to.at) : undefined;
  if (span) issues.push({ pointer: '/ending_before', ...span });
  if (!from.ok || !to.ok || span) throw new ValidationError('billing usage window', issues);
  return { starting_on: from.timestamp, ending_before: to.timestamp };
}

/** What is wrong with a window from `fromMs` to `toMs` (bounds already valid), said of its end. */
export function spanProblem(
  fromMs: number,
  toMs: number,
): { rule: 'order' | 'maximum'; message: string } | undefined {
  if (toMs <= fromMs) return { rule: 'order', message: 'must be after the start' };
  if (toMs - fromMs > MAX_BILLING_WINDOW_MS)
    return { rule: 'maximum', message: 'must be at most 14 days after the start' };
  return undefined;
}
