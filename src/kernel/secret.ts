import { inspect } from 'node:util';

export const REDACTED = '[REDACTED]';

/*
 * A brand instead of a plain `instanceof` check: an application can end up with two copies of the
 * kernel (a bundled SDK plus a direct dependency), and a Secret made by one must still be recognised,
 * and hidden, by the other.
 */
const BRAND = Symbol.for('pristine.secret');

/**
 * A secret string (API key, token, password) that never shows itself: `String()`, template literals,
 * `JSON.stringify`, `util.inspect` and `console.log` all print `[REDACTED]`, also when the Secret sits
 * deep inside another object. Only `reveal()` returns the value, so every use is greppable.
 */
export class Secret {
  // An ES private field is invisible to Object.keys, JSON.stringify, util.inspect and structuredClone.
  readonly #value: string;

  constructor(value: string) {
    this.#value = String(value);
  }

  /** Wrap a string; a Secret is returned as it is. */
  static from(value: string | Secret): Secret {
    return isSecret(value) ? value : new Secret(value);
  }

  static [Symbol.hasInstance](value: unknown): boolean {
    return isSecret(value);
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

Object.defineProperty(Secret.prototype, BRAND, { value: true });

export function isSecret(value: unknown): value is Secret {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
