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
