import { Ajv, type ErrorObject } from 'ajv';
import type { CompiledValidator, Serializer, ValidationIssue } from '../../ports/serializer.js';
import { validate as draft07Check } from './gen/meta-schema-check.js';
import { misspeltKeyword } from './misspelt-keywords.js';
import { addFormats, uncheckedFormat } from './string-formats.js';
import { withUnionsResolved } from './union-issues.js';

const AJV_OPTIONS = { allErrors: true, strict: false, strictNumbers: true } as const;

let checker: Ajv | undefined;

/**
 * The Ajv instance that checks a schema naming its own `$schema` against that meta-schema, for every
 * serializer in the process; made only when such a schema comes. A schema without `$schema` (every
 * TypeBox schema) is checked against draft-07 by ajv's own validator for it, generated at build time
 * (scripts/gen-schema-check.mjs). Why: compiling that validator in the process was 3.4 MB of allocation
 * at the first `new ServiceClient`, and its closures and code stayed live for the process
 * (docs/performance-notes.md, round 36 notes).
 */
function schemaChecker(): Ajv {
  return (checker ??= new Ajv(AJV_OPTIONS));
}

/** ajv's `validateSchema` verdict for a schema: its errors, or none. */
function metaSchemaErrors(schema: object): ErrorObject[] | null | undefined {
  if ((schema as { $schema?: unknown }).$schema !== undefined) {
    const ajv = schemaChecker();
    return ajv.validateSchema(schema) ? undefined : ajv.errors;
  }
  const check = draft07Check as ((value: unknown) => boolean) & { errors?: ErrorObject[] | null };
  return check(schema) ? undefined : check.errors;
}

/**
 * Why a schema's `$schema` names nothing the checker has (2020-12, draft-04: ajv's default class knows
 * draft-07 only), else undefined. Ajv would throw a bare `no schema with key or ref "…"`.
 */
function unknownMetaSchema(schema: object): string | undefined {
  const id = (schema as { $schema?: unknown }).$schema;
  if (id === undefined) return undefined;
  if (typeof id !== 'string') return `$schema must be a string, got ${typeof id}`;
  if (schemaChecker().getSchema(id) !== undefined) return undefined;
  return `$schema ${JSON.stringify(id)} is not a meta-schema the kernel knows (it checks draft-07: name http://json-schema.org/draft-07/schema# or leave $schema out)`;
}

/**
 * JSON serializer with ajv validation. One Ajv instance per serializer (so per kernel); schemas are
 * compiled once at plugin registration and cached by identity.
 *
 * `strictNumbers`: NaN and ±Infinity fail every `number`/`integer` schema. JSON has no form for them
 * (`JSON.stringify` would send `null`), so they are reported as rule `finite` on their field instead.
 * Every `integer` is also bounded to ±(2^53 − 1) (rule `safe-integer`): beyond that a double holds no
 * exact integer, and `1e308` would otherwise pass as one.
 */
export class AjvJsonSerializer implements Serializer {
  readonly contentType = 'application/json';
  // Schemas are checked against the meta-schema by metaSchemaErrors() (above), not by these two.
  private readonly strictAjv = addFormats(new Ajv({ ...AJV_OPTIONS, validateSchema: false }));
  private readonly lenientAjv = addFormats(new Ajv({ ...AJV_OPTIONS, validateSchema: false }));
  private readonly cache = new WeakMap<object, CompiledValidator>();
  private readonly lenientCache = new WeakMap<object, CompiledValidator>();

  compile(schema: object, options: { allowUnknown?: boolean } = {}): CompiledValidator {
    const cache = options.allowUnknown ? this.lenientCache : this.cache;
    const hit = cache.get(schema);
    if (hit) return hit;
    const problem = this.checkSchema(schema);
    if (problem) throw new Error(`schema is invalid: ${problem}`);
    const ajv = options.allowUnknown ? this.lenientAjv : this.strictAjv;
    const target = withSafeIntegers(options.allowUnknown ? allowUnknownProperties(schema) : schema);
    const validate = ajv.compile(target);
    const validator: CompiledValidator = (value) =>
      validate(value) ? [] : issuesOf(validate.errors ?? [], value, target);
    cache.set(schema, validator);
    return validator;
  }

  checkSchema(schema: object): string | undefined {
    const unknown = unknownMetaSchema(schema);
    if (unknown) return unknown;
    const errors = metaSchemaErrors(schema);
    if (errors !== undefined) return this.strictAjv.errorsText(errors);
    // A format no validator checks, or a misspelt keyword, would be ignored: an author who wrote one
    // expects it enforced.
    return uncheckedFormat(schema) ?? misspeltKeyword(schema);
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
 * number and null gives three errors), and an unsafe integer fails the bound of one branch and the type
 * of the others: each collapses into one issue per field, `finite` or `safe-integer`.
 */
function issuesOf(all: readonly ErrorObject[], root: unknown, schema: object): ValidationIssue[] {
  const isNull = (pointer: string) => valueAt(root, pointer) === null;
  const errors = withUnionsResolved(withLiteralUnionsCollapsed(all), isNull, (path) =>
    schemaAt(schema, path),
  );
  const numeric = new Map<string, ValidationIssue>();
  for (const error of errors) {
    const pointer = error.instancePath;
    if (numeric.has(pointer)) continue;
    const value = valueAt(root, pointer);
    if (typeof value === 'number' && !Number.isFinite(value)) {
      numeric.set(pointer, {
        pointer,
        rule: 'finite',
        message: `must be a finite number, got ${String(value)} (JSON has no NaN or Infinity)`,
      });
    } else if ((error.keyword === 'maximum' || error.keyword === 'minimum') && isSafetyBound(error)) {
      numeric.set(pointer, {
        pointer,
        rule: 'safe-integer',
        message: 'must be a safe integer (between -(2^53 - 1) and 2^53 - 1)',
      });
    }
  }
  const issues: ValidationIssue[] = [];
  for (const error of errors) {
    const collapsed = numeric.get(error.instancePath);
    if (collapsed === undefined) issues.push(toIssue(error));
    else if (!issues.includes(collapsed)) issues.push(collapsed);
  }
  return issues;
}

/**
 * A union of literals (TypeBox's `Union([Literal('a'), Literal('b')])`, the usual way to write an
 * enum) fails every branch's `const` (and a number or boolean literal's `type` too) plus the `anyOf`:
 * "must be equal to constant" once per value, never saying which would do. Such a group becomes one
 * `enum` issue listing the allowed values. A union with any other kind of branch keeps its issues.
 */
function withLiteralUnionsCollapsed(errors: readonly ErrorObject[]): readonly ErrorObject[] {
  let result: ErrorObject[] | undefined;
  for (const union of errors) {
    if (union.keyword !== 'anyOf') continue;
    const prefix = `${union.schemaPath}/`;
    const group = errors.filter((e) => e.schemaPath.startsWith(prefix));
    const allowed = literalValues(group, prefix, union.instancePath);
    if (allowed === undefined) continue;
    const collapsed: ErrorObject = {
      ...union,
      keyword: 'enum',
      params: { allowedValues: allowed },
      message: `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`,
    };
    const current: ErrorObject[] = result ?? [...errors];
    const first = current.findIndex((e) => group.includes(e) || e === union);
    result = current.filter((e) => !group.includes(e) && e !== union);
    result.splice(first, 0, collapsed);
  }
  return result ?? errors;
}

/** Each branch's `const`, in branch order, when every failed branch is a literal; else undefined. */
function literalValues(group: readonly ErrorObject[], prefix: string, at: string): unknown[] | undefined {
  const branches = new Map<number, ErrorObject[]>();
  for (const e of group) {
    if (e.instancePath !== at || (e.keyword !== 'const' && e.keyword !== 'type')) return undefined;
    const branch = Number(e.schemaPath.slice(prefix.length).split('/')[0]);
    branches.set(branch, [...(branches.get(branch) ?? []), e]);
  }
  const values: unknown[] = [];
  for (const [, branch] of [...branches.entries()].sort(([a], [b]) => a - b)) {
    const literal = branch.find((e) => e.keyword === 'const');
    if (literal === undefined) return undefined;
    values.push((literal.params as { allowedValue: unknown }).allowedValue);
  }
  return values.length > 0 ? values : undefined;
}

function isSafetyBound(error: ErrorObject): boolean {
  return Math.abs((error.params as { limit?: number }).limit ?? 0) === Number.MAX_SAFE_INTEGER;
}

/** A copy of the schema in which every `integer` has bounds no wider than the safe integers. */
function withSafeIntegers(schema: object): object {
  return JSON.parse(JSON.stringify(schema), (_key, value: unknown) => {
    if (!isIntegerSchema(value)) return value;
    const bounded = value as { minimum?: number; maximum?: number };
    return {
      ...bounded,
      minimum: Math.max(bounded.minimum ?? -Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER),
      maximum: Math.min(bounded.maximum ?? Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
    };
  });
}

function isIntegerSchema(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const type = (value as { type?: unknown }).type;
  return type === 'integer' || (Array.isArray(type) && type.includes('integer') && !type.includes('number'));
}

/**
 * The part of `schema` an error's `schemaPath` (`#/properties/stop/anyOf`) designates; undefined past a
 * `$ref` (its path starts over in the referenced schema). Read only when a union failed: ajv's `verbose`
 * would carry it on every error at the cost of larger validators on every call's path.
 */
function schemaAt(schema: object, schemaPath: string): unknown {
  if (!schemaPath.startsWith('#')) return undefined;
  return valueAt(schema, schemaPath.slice(1));
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
