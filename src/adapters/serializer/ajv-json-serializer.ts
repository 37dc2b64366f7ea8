import { Ajv, type ErrorObject } from 'ajv';
import type { CompiledValidator, Serializer, ValidationIssue } from '../../ports/serializer.js';

/**
 * JSON serializer with ajv validation. One Ajv instance per serializer (so per kernel); schemas are
 * compiled once at plugin registration and cached by identity.
 */
export class AjvJsonSerializer implements Serializer {
  readonly contentType = 'application/json';
  private readonly strictAjv = new Ajv({ allErrors: true, strict: false });
  private readonly lenientAjv = new Ajv({ allErrors: true, strict: false });
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
      validate(value) ? [] : (validate.errors ?? []).map(toIssue);
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
