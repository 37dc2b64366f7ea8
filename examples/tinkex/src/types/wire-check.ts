import { AjvJsonSerializer, ValidationError, type TSchema } from 'pristine-kernel';

/** One validator cache for the builders (schemas compile once, on first use). */
const serializer = new AjvJsonSerializer();

/**
 * Throw a ValidationError (issues re-anchored under `prefix`) when a value built from user input does not
 * match its wire schema, so a builder never hands on something the server cannot take.
 */
export function checkWire(schema: TSchema, value: unknown, where: string, prefix = ''): void {
  const issues = serializer.compile(schema)(value);
  if (issues.length > 0) {
    throw new ValidationError(
      where,
      issues.map((issue) => ({ ...issue, pointer: `${prefix}${issue.pointer}` })),
    );
  }
}

/** A non-null, non-array object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A plain array or a numeric typed array (not a DataView). */
export function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}

/**
 * An options argument: absent (→ `{}`) or an object. A default parameter only covers `undefined`, so
 * `null` or a number would otherwise crash on the first property read. With `keys`, any other key (whose
 * value is not `undefined`) is refused by name (`additionalProperties`): a misspelt option would
 * otherwise be dropped, and the caller would believe a rank or a TTL is set that is not.
 */
export function optionsOf<T extends object>(
  value: T | undefined,
  where: string,
  keys?: readonly (keyof T & string)[],
): T {
  if (value === undefined) return {} as T;
  if (!isRecord(value)) throw ValidationError.field(where, '/', 'type', 'must be an object');
  if (keys) {
    for (const key in value) {
      if (value[key] === undefined || !Object.hasOwn(value, key) || keys.includes(key as never)) continue;
      throw ValidationError.field(
        where,
        `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`,
        'additionalProperties',
        `"${key}" is not one of ${keys.join(', ')}`,
      );
    }
  }
  return value;
}
