import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { Type } from '@sinclair/typebox';
import { Ajv } from 'ajv';
import { AjvJsonSerializer } from '../../../src/adapters/serializer/ajv-json-serializer.js';
// @ts-expect-error: a build script without type declarations
import { schemaCheckSource, TARGET } from '../../../scripts/gen-schema-check.mjs';

// Schemas without `$schema` are checked by ajv's draft-07 validator generated at build time
// (scripts/gen-schema-check.mjs) instead of one ajv compiles in the process (round 36).
describe('the generated draft-07 meta-schema check', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('is what the generator makes from the installed ajv (rerun the generator after an ajv upgrade)', () => {
    expect(readFileSync(TARGET, 'utf8')).toBe(`${(schemaCheckSource as () => string)()}\n`);
  });

  // The same verdict and the same words as ajv's own `validateSchema` and `errorsText`.
  const reference = new Ajv({ allErrors: true, strict: false, strictNumbers: true });
  const referenceText = (schema: object) =>
    reference.validateSchema(schema) ? undefined : reference.errorsText(reference.errors);
  const schemas: Array<[string, object]> = [
    ['a TypeBox object', Type.Object({ a: Type.String(), b: Type.Optional(Type.Array(Type.Integer())) })],
    ['a union with null', Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])],
    ['a non-string description', { type: 'object', description: 5 }],
    ['an unknown type', { type: 'objekt' }],
    [
      'a bad nested schema',
      { type: 'object', properties: { a: { type: 'array', items: { minItems: -1 } } } },
    ],
    ['required not an array', { type: 'object', required: 'a' }],
    ['several problems at once', { type: 7, minimum: 'x', properties: [], anyOf: [] }],
    ['a non-string pattern', { type: 'string', pattern: 5 }],
    // uniqueItems on a type list: the one check that calls ajv's runtime `equal`, which the module imports.
    ['a repeated type', { type: ['string', 'string'] }],
  ];
  it.each(schemas)('checks %s as ajv does', (_name, schema) => {
    const expected = referenceText(schema);
    const problem = new AjvJsonSerializer().checkSchema(schema);
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem).toBe(expected);
  });

  it('checks a schema without $schema without ajv compiling the meta-schema; one naming it still goes to ajv', () => {
    const validateSchema = jest.spyOn(Ajv.prototype, 'validateSchema');
    const serializer = new AjvJsonSerializer();
    expect(serializer.checkSchema({ type: 'object', description: 5 })).toBe(
      'data/description must be string',
    );
    expect(validateSchema).not.toHaveBeenCalled();
    const named = { $schema: 'http://json-schema.org/draft-07/schema#', type: 'objekt' };
    expect(serializer.checkSchema(named)).toBe(referenceText(named));
    expect(validateSchema).toHaveBeenCalled();
  });
});
