import { describe, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { AjvJsonSerializer } from '../../../src/adapters/serializer/ajv-json-serializer.js';

// Every serializer checks schemas with one shared meta-schema validator, and its compiling Ajv instances
// skip their own check (a memory saving): a schema the meta-schema rejects must still never compile.
describe('AjvJsonSerializer schema checks', () => {
  // `description` must be a string: the meta-schema says so, while compiling alone would ignore it.
  const invalid = { type: 'object', description: 5, properties: { a: { type: 'string' } } };

  it('refuses to compile a schema the meta-schema rejects, strict and lenient alike', () => {
    const serializer = new AjvJsonSerializer();
    expect(serializer.checkSchema(invalid)).toMatch(/description must be string/);
    expect(() => serializer.compile(invalid)).toThrow(/schema is invalid: .*description must be string/);
    expect(() => serializer.compile(invalid, { allowUnknown: true })).toThrow(
      /schema is invalid: .*description must be string/,
    );
  });

  it('still checks schemas in a second serializer, and compiles valid ones in both modes', () => {
    new AjvJsonSerializer().checkSchema(Type.Object({ a: Type.String() }));
    const serializer = new AjvJsonSerializer();
    expect(() => serializer.compile(invalid, { allowUnknown: true })).toThrow(/schema is invalid/);
    const schema = Type.Object({ a: Type.String() }, { additionalProperties: false });
    expect(serializer.checkSchema(schema)).toBeUndefined();
    expect(serializer.compile(schema)({ a: 'x', b: 1 })).toEqual([
      expect.objectContaining({ rule: 'additionalProperties' }),
    ]);
    expect(serializer.compile(schema, { allowUnknown: true })({ a: 'x', b: 1 })).toEqual([]);
    expect(serializer.compile(schema)({ a: 1 })).toEqual([expect.objectContaining({ pointer: '/a' })]);
  });
});
