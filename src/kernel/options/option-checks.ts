import type { ValidationIssue } from '../../ports/serializer.js';
import { ValidationError } from '../errors/validation-error.js';
import { escapePointer, headerIssues } from '../request/header-checks.js';
import { closestName } from './closest-name.js';

/** The largest delay a Node timer honours; a longer one fires at once (with a warning). */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * Collects the problems of an options object, then throws them as one ValidationError. Every check
 * skips `undefined` (the option was not given), names the option by its JSON pointer and the rule it
 * broke, and never lets a wrong type through to a `TypeError` or a NaN loop later on.
 */
export class OptionChecks {
  readonly issues: ValidationIssue[] = [];

  constructor(
    private readonly where: string,
    private readonly prefix = '',
  ) {}

  /**
   * A method's options argument checked on its own, returned typed for the caller to destructure: `{}`
   * when not given; anything but an object is refused (rule `type`: a default parameter covers only
   * `undefined`, so `null` would crash on the first property read); with `only`, so is every key it does
   * not name (see `only`). Without `only` the keys are left to a schema checked later.
   */
  static optionsObject<T extends object>(
    where: string,
    value: T | undefined,
    only?: { names: ReadonlySet<string>; what: string },
  ): T {
    if (value === undefined) return {} as T;
    const checks = new OptionChecks(where);
    checks.root(value, only);
    checks.throwIfAny();
    return value;
  }

  /**
   * `defaults` with every member of `given` that is not undefined: `{ ...defaults, ...given }` would let a
   * member given as `undefined` (which typed inputs allow, and which the checks count as not given)
   * replace its default. A new object; `defaults` is left as it was.
   */
  static withDefaults<T extends object>(defaults: T, given: Partial<T> | undefined): T {
    const merged = { ...defaults };
    for (const key in given) {
      const value = given[key];
      if (value !== undefined) merged[key] = value as T[typeof key];
    }
    return merged;
  }

  /**
   * The first check of an options object, which every other reads the fields of: anything but an object
   * (or absent) throws at once (rule `type`), as its fields cannot be read; with `only`, every key it does
   * not name is collected (see `only`) with the field checks that follow. Returns the object (`{}` when
   * absent).
   */
  root(value: unknown, only?: { names: ReadonlySet<string>; what: string }): Record<string, unknown> {
    if (!this.object('', value)) this.throwIfAny();
    const o = (value ?? {}) as Record<string, unknown>;
    if (only) this.only(o, only.names, only.what);
    return o;
  }

  /** Record an issue; `detail` adds its case `code`, `advice` for programs and what was `found`. */
  fail(key: string, rule: string, message: string, detail: IssueDetail = {}): this {
    this.issues.push({ pointer: this.pointer(key), rule, message, ...detail });
    return this;
  }

  /** An object, not an array (or absent). Returns false when it is given but is not one. */
  object(key: string, value: unknown): boolean {
    if (value === undefined) return true;
    if (isPlainObject(value)) return true;
    this.fail(key, 'type', `must be an object, got ${describeValue(value)}`);
    return false;
  }

  integer(key: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): this {
    if (value === undefined) return this;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      return this.fail(key, 'integer', `must be an integer, got ${describeValue(value)}`);
    }
    if (value < min) return this.fail(key, 'minimum', `must be ≥ ${min}, got ${value}`);
    if (value > max) return this.fail(key, 'maximum', `must be ≤ ${max}, got ${value}`);
    return this;
  }

  /** A finite number in `[min, max]`; `exclusiveMin` makes the lower bound strict. */
  number(key: string, value: unknown, bounds: { min?: number; max?: number; exclusiveMin?: boolean }): this {
    if (value === undefined) return this;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return this.fail(key, 'finite', `must be a finite number, got ${describeValue(value)}`);
    }
    const { min, max, exclusiveMin } = bounds;
    if (min !== undefined && (exclusiveMin ? value <= min : value < min)) {
      return this.fail(
        key,
        exclusiveMin ? 'exclusiveMinimum' : 'minimum',
        `must be ${exclusiveMin ? '>' : '≥'} ${min}, got ${value}`,
      );
    }
    if (max !== undefined && value > max) return this.fail(key, 'maximum', `must be ≤ ${max}, got ${value}`);
    return this;
  }

  /** A timer duration in milliseconds: positive, finite, and within what a Node timer can wait. */
  duration(key: string, value: unknown, min = 1): this {
    return this.number(key, value, { min, max: MAX_TIMER_MS });
  }

  /** An AbortSignal (or absent): anything else would throw a TypeError deep inside the kernel. */
  signal(key: string, value: unknown): this {
    if (value === undefined || value instanceof AbortSignal) return this;
    return this.fail(key, 'type', 'must be an AbortSignal');
  }

  boolean(key: string, value: unknown): this {
    if (value === undefined || typeof value === 'boolean') return this;
    return this.fail(key, 'type', `must be a boolean, got ${describeValue(value)}`);
  }

  string(key: string, value: unknown, options: { nonEmpty?: boolean } = {}): this {
    if (value === undefined) return this;
    if (typeof value !== 'string')
      return this.fail(key, 'type', `must be a string, got ${describeValue(value)}`);
    if (options.nonEmpty && value.length === 0) return this.fail(key, 'minLength', 'must not be empty');
    return this;
  }

  oneOf(key: string, value: unknown, allowed: readonly unknown[]): this {
    if (value === undefined || allowed.includes(value)) return this;
    return this.fail(
      key,
      'enum',
      `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${describeValue(value)}`,
    );
  }

  /**
   * An absolute http(s) URL. Credentials in it are never echoed. A `format` issue says its case in
   * `code`: `unparsable` (not an absolute URL) or `scheme` (another protocol, given in `found`).
   */
  url(key: string, value: unknown, protocols: readonly string[] = ['http:', 'https:']): this {
    if (value === undefined) return this;
    if (typeof value !== 'string')
      return this.fail(key, 'type', `must be a URL string, got ${describeValue(value)}`);
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      return this.fail(key, 'format', 'must be an absolute URL', { code: 'unparsable' });
    }
    if (!protocols.includes(parsed.protocol)) {
      return this.fail(key, 'format', `must use ${protocols.join(' or ')}, got ${parsed.protocol}`, {
        code: 'scheme',
        found: parsed.protocol,
      });
    }
    return this;
  }

  /**
   * A base URL: an absolute http(s) URL with no query and no fragment. Each endpoint's path is appended
   * to it as text, so `https://host/?token=x` would send `POST https://host/?token=x/api/…`: every call
   * to the wrong path, the path inside the query. Its parts are never echoed (they may carry secrets).
   * Besides `url`'s codes, a `format` issue's `code` is `query` or `fragment`.
   */
  baseUrl(key: string, value: unknown): this {
    const before = this.issues.length;
    this.url(key, value);
    if (this.issues.length !== before || value === undefined) return this;
    const parsed = new URL(value as string);
    // `new URL` drops a lone `?` or `#` from search/hash, so the text is what tells.
    if (parsed.search !== '' || (value as string).includes('?'))
      return this.fail(key, 'format', 'must not have a query: the endpoint path goes after it', {
        code: 'query',
        advice: 'give parameters as `query`',
      });
    if (parsed.hash !== '' || (value as string).includes('#'))
      return this.fail(key, 'format', 'must not have a fragment: the endpoint path goes after it', {
        code: 'fragment',
      });
    return this;
  }

  /** A list of strings. */
  strings(key: string, value: unknown): this {
    if (value === undefined) return this;
    if (!Array.isArray(value))
      return this.fail(key, 'type', `must be an array of strings, got ${describeValue(value)}`);
    value.forEach((item, i) => {
      if (typeof item !== 'string')
        this.fail(`${key}/${i}`, 'type', `must be a string, got ${describeValue(item)}`);
    });
    return this;
  }

  /** An object of string values. */
  stringRecord(key: string, value: unknown): this {
    if (!this.object(key, value) || value === undefined) return this;
    for (const [name, item] of Object.entries(value as object)) {
      if (typeof item !== 'string') {
        this.fail(`${key}/${escapePointer(name)}`, 'type', `must be a string, got ${describeValue(item)}`);
      }
    }
    return this;
  }

  /** Header names and values that can be sent (see `headerValueProblem`). */
  headers(key: string, value: unknown): this {
    if (value === undefined) return this;
    const found = headerIssues(value, this.pointer(key));
    for (const issue of found) this.issues.push(issue);
    return this;
  }

  func(key: string, value: unknown): this {
    if (value === undefined || typeof value === 'function') return this;
    return this.fail(key, 'type', `must be a function, got ${describeValue(value)}`);
  }

  /**
   * No keys but `allowed` (rule `additionalProperties`, with a "did you mean" hint): a misspelt option
   * would otherwise be ignored, and the caller would believe a timeout or a limit is set that is not.
   * A key whose value is `undefined` counts as not given, as in every other check. `under` names a
   * nested object's keys below its own (`circuit_breaker/half_open`).
   */
  only(value: unknown, allowed: ReadonlySet<string>, what: string, under = ''): this {
    if (!isPlainObject(value)) return this;
    for (const key in value) {
      if (allowed.has(key) || value[key] === undefined || !Object.hasOwn(value, key)) continue;
      const hint = closestName(key, allowed);
      this.fail(
        `${under ? `${under}/` : ''}${escapePointer(key)}`,
        'additionalProperties',
        `is not ${what}${hint ? ` (did you mean "${hint}"?)` : ''}`,
      );
    }
    return this;
  }

  /** Throw every collected issue as one ValidationError. */
  throwIfAny(): void {
    if (this.issues.length > 0) throw new ValidationError(this.where, this.issues);
  }

  private pointer(key: string): string {
    return key === '' ? this.prefix : `${this.prefix}/${key}`;
  }
}

/** The optional parts of an issue besides its pointer, rule and message (see ValidationIssue). */
export type IssueDetail = Pick<ValidationIssue, 'code' | 'advice' | 'found'>;

/** A non-null object that is not an array (an options bag, from any realm). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * A short description of any value for an error message; never throws (a symbol, a bigint or an object
 * without `toString` cannot break the message that reports them). Strings are quoted and cut at 40
 * characters; do not pass secrets.
 */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'number':
    case 'boolean':
      return String(value);
    case 'bigint':
      return `${value}n`;
    case 'string':
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    case 'object': {
      const name: unknown = (value as { constructor?: { name?: unknown } }).constructor?.name;
      return `an object (${typeof name === 'string' ? name : 'no prototype'})`;
    }
    default:
      return typeof value;
  }
}
