import { closestName } from '../../kernel/options/closest-name.js';

/**
 * Keys Ajv reads in a schema (validation, applicators, annotations, OpenAPI's), so never a typo. Ajv
 * runs non-strict (plugins' schemas carry annotations of their own), so it ignores any other key.
 */
const VALIDATION = [
  'type', 'enum', 'const', 'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum',
  'maxLength', 'minLength', 'pattern', 'format', 'items', 'additionalItems', 'prefixItems', 'maxItems',
  'minItems', 'uniqueItems', 'contains', 'maxContains', 'minContains', 'maxProperties', 'minProperties',
  'required', 'properties', 'patternProperties', 'additionalProperties', 'dependentRequired',
  'dependentSchemas', 'propertyNames', 'allOf', 'anyOf', 'oneOf', 'unevaluatedProperties',
  'unevaluatedItems', 'discriminator', 'nullable',
]; // prettier-ignore
const KNOWN = new Set([
  ...VALIDATION,
  ...['not', 'if', 'then', 'else', 'dependencies', 'definitions', 'title', 'description', 'default'],
  ...['examples', 'example', 'readOnly', 'writeOnly', 'deprecated', 'contentMediaType'],
  ...['contentEncoding', 'contentSchema', 'xml', 'externalDocs'],
  // Popular tools' keywords within two edits of `type`: json-schema-to-typescript's, ajv-keywords'.
  ...['tsType', 'typeof'],
]);
/** Members whose values are data (or names), never schemas: nothing inside them is a keyword. */
const DATA = new Set(['const', 'default', 'enum', 'examples', 'example', 'required', 'dependentRequired']);
/** Members whose values map names (of properties, of definitions) to schemas. */
const MAPS = new Set(['properties', 'patternProperties', 'definitions', 'dependentSchemas', 'dependencies']);

/**
 * `"minimun" at /properties/n is not a JSON Schema keyword (did you mean "minimum"?) …` for the first
 * key that is a near miss of a validation keyword, else undefined. Ajv would ignore it, and the author
 * would believe the bound checked. Keys not close to one (`x-order`, a vendor's own annotation) and
 * `$` keys pass.
 */
export function misspeltKeyword(schema: unknown, pointer = ''): string | undefined {
  if (schema === null || typeof schema !== 'object') return undefined;
  if (Array.isArray(schema)) {
    for (let i = 0; i < schema.length; i++) {
      const found = misspeltKeyword(schema[i], `${pointer}/${i}`);
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, value] of Object.entries(schema)) {
    if (!KNOWN.has(key)) {
      const meant = key.startsWith('$') || key.startsWith('x-') ? undefined : closestName(key, VALIDATION);
      if (meant !== undefined) {
        return `"${key}" at ${pointer || '/'} is not a JSON Schema keyword (did you mean "${meant}"?), so nothing would check it`;
      }
      continue;
    }
    if (DATA.has(key)) continue;
    const found = MAPS.has(key)
      ? inMap(value, `${pointer}/${key}`)
      : misspeltKeyword(value, `${pointer}/${key}`);
    if (found) return found;
  }
  return undefined;
}

function inMap(map: unknown, pointer: string): string | undefined {
  if (map === null || typeof map !== 'object') return undefined;
  for (const [name, schema] of Object.entries(map)) {
    const found = misspeltKeyword(schema, `${pointer}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    if (found) return found;
  }
  return undefined;
}
