import { InvalidArgumentError } from 'commander';
import { OptionChecks } from 'pristine-kernel';
import { startsWithCalendarDate } from '../calendar-date.js';

/** Argument parsers: a bad value is a usage error (exit 2) before anything is sent. */

export function nonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number ≥ 0.');
  return Number(value);
}

export function positiveInt(value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new InvalidArgumentError('expected a whole number ≥ 1.');
  return Number(value);
}

export function tinkerPath(value: string): string {
  // The rule of parseTinkerPath (three non-empty parts, the middle one the kind), without loading the SDK.
  if (!/^tinker:\/\/[^/]+\/(weights|sampler_weights)\/[^/]+$/.test(value))
    throw new InvalidArgumentError('expected a checkpoint path like tinker://<run-id>/weights/<name>.');
  return value;
}

/**
 * A training run id. An empty one is almost always an unset variable interpolated (`--run-id "$RUN"`):
 * taken as absent, `checkpoint list` listed every run's checkpoints instead of one run's. One holding a
 * `/` (the request schema's rule) is most often a checkpoint's tinker:// path: named as such, with its
 * run id, rather than failing after the SDK loaded with the schema's pattern.
 */
export function runId(value: string): string {
  if (value.trim() === '')
    throw new InvalidArgumentError('expected a training run id, as `tinkex run list` prints them.');
  if (value.includes('/')) {
    const pathRunId = value.startsWith('tinker://') ? runIdOf(value) : '';
    throw new InvalidArgumentError(
      pathRunId !== ''
        ? `expected a training run id (no "/"): this is a tinker:// path; its run id is ${pathRunId}`
        : 'expected a training run id (no "/"), as `tinkex run list` prints them.',
    );
  }
  return value;
}

/** A session id: it names the default output file, so it may hold no path (no `/`, `\\`, nor `..` alone). */
export function sessionId(value: string): string {
  if (value === '' || value === '.' || value === '..' || /[/\\]/.test(value))
    throw new InvalidArgumentError('expected a session id (no "/" or "\\"), as `tinkex` prints them.');
  return value;
}

/**
 * What is wrong with an API address, or undefined. The rule is the client's own (the kernel's
 * `OptionChecks.baseUrl`: an absolute http(s) URL, no query, no fragment); only its first issue is
 * worded here, from the issue's case `code`, for a person typing an address rather than a program
 * passing an option (so without its `advice`). The value itself is never repeated: a base URL may carry
 * credentials (`user:pass@`).
 */
export function apiAddressProblem(value: string): string | undefined {
  const [issue] = new OptionChecks('API address').baseUrl('base_url', value).issues;
  if (issue === undefined) return undefined;
  switch (issue.code) {
    case 'unparsable':
      return 'must be an absolute http:// or https:// URL, e.g. https://tinker.example.com';
    case 'scheme':
      return `must start with http:// or https:// (it starts with "${issue.found}")`;
    default:
      return issue.message;
  }
}

/** The training run of a (validated) checkpoint path. */
export function runIdOf(path: string): string {
  return path.slice('tinker://'.length).split('/')[0];
}

/** ISO 8601 date or date-time; a date alone is midnight UTC, a time without zone is UTC (as `tinker`). */
export function isoDate(value: string): Date {
  const text = value.trim();
  const withZone = /^\d{4}-\d{2}-\d{2}$/.test(text)
    ? `${text}T00:00:00Z`
    : /[zZ]|[+-]\d{2}:?\d{2}$/.test(text)
      ? text
      : `${text}Z`;
  const at = new Date(withZone);
  if (!startsWithCalendarDate(text) || Number.isNaN(at.getTime()))
    throw new InvalidArgumentError('expected an ISO 8601 date, e.g. 2024-01-01 or 2024-01-01T08:00:00Z.');
  return at;
}
