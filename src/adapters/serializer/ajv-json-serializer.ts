import { Ajv, type ErrorObject } from 'ajv';
import type { CompiledValidator, Serializer, ValidationIssue } from '../../ports/serializer.js';

/**
 * JSON serializer with ajv validation. One Ajv instance per serializer (so per kernel); schemas are
 * compiled once at plugin registration and cached by identity.
 *
 * `strictNumbers`: NaN and ±Infinity fail every `number`/`integer` schema. JSON has no form for them
 * (`JSON.stringify` would send `null`), so they are reported as rule `finite` on their field instead.
 */
export class AjvJsonSerializer implements Serializer {
  readonly contentType = 'application/json';
  private readonly strictAjv = new Ajv({ allErrors: true, strict: false, strictNumbers: true });
  private readonly lenientAjv = new Ajv({ allErrors: true, strict: false, strictNumbers: true });
  private readonly cache = new WeakMap<object, CompiledValidator>();
  private readonly lenientCache = new WeakMap<object, CompiledValidator>();

  compile(schema: object, options: { allowUnknown?: boolean } = {}): CompiledValidator {
    const cache = options.allowUnknown ? this.lenientCache : this.cache;
    const hit = cache.get(schema);
    if (hit) return hit;
    const ajv = options.allowUnknown ? this.lenientAjv : this.strictAjv;
    const target = options.allowUnknown ? allowUnknownProperties(schema) : schema;
    const validate = ajv.compile(target);
    const validator: CompiledValidator = (value) =>
      validate(value) ? [] : issuesOf(validate.errors ?? [], value);
    cache.set(schema, validator);
    return validator;
  }

  checkSchema(schema: object): string | undefined {
    return this.strictAjv.validateSchema(schema)
      ? undefined
      : this.strictAjv.errorsText(this.strictAjv.errors);
  }

  encode(value: unknown): string {
    return JSON.stringify(value);
  }

  decode(bytes: Uint8Array, contentType: string | undefined): unknown {
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    if (text.length === 0) return undefined;
    if (contentType && !/json/i.test(contentType)) return text;
    return JSON.parse(text);
  }
}

/**
 * Map ajv's errors to issues. A non-finite number fails `type` once per schema branch (`anyOf` of
 * number and null gives three errors): those collapse into one `finite` issue per field.
 */
function issuesOf(errors: readonly ErrorObject[], root: unknown): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const nonFinite = new Set<string>();
  for (const error of errors) {
    if (nonFinite.has(error.instancePath)) continue;
    if (
      (error.keyword === 'type' || error.keyword === 'anyOf' || error.keyword === 'oneOf') &&
      isNonFinite(valueAt(root, error.instancePath))
    ) {
      nonFinite.add(error.instancePath);
      issues.push({
        pointer: error.instancePath,
        rule: 'finite',
        message: `must be a finite number, got ${String(valueAt(root, error.instancePath))} (JSON has no NaN or Infinity)`,
      });
      continue;
    }
    issues.push(toIssue(error));
  }
  return issues;
}

function isNonFinite(value: unknown): boolean {
  return typeof value === 'number' && !Number.isFinite(value);
}

/** The value a JSON pointer (ajv's `instancePath`) designates. */
function valueAt(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  let node = root;
  for (const raw of pointer.slice(1).split('/')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

function toIssue(error: ErrorObject): ValidationIssue {
  let pointer = error.instancePath;
  let message = error.message ?? 'is invalid';
  if (error.keyword === 'required') {
    pointer = `${pointer}/${(error.params as { missingProperty: string }).missingProperty}`;
    message = 'is required';
  } else if (error.keyword === 'additionalProperties') {
    pointer = `${pointer}/${(error.params as { additionalProperty: string }).additionalProperty}`;
    message = 'is not an allowed property';
  }
  return { pointer, message, rule: error.keyword };
}

/** Response schemas keep unknown fields: drop `additionalProperties: false` everywhere. */
function allowUnknownProperties(schema: object): object {
  return JSON.parse(JSON.stringify(schema), (key, value) =>
    key === 'additionalProperties' ? undefined : value,
  );
}
