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

// Found by hand: `max_tokens: -1` on a nullable field read "must be >= 0 (minimum)", "must be null
// (type)", "must match a schema in anyOf (anyOf)": two lines about a branch the value never chose.
describe('AjvJsonSerializer issues for nullable fields', () => {
  const serializer = new AjvJsonSerializer();
  const schema = Type.Object({
    max_tokens: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
    stop: Type.Union([Type.String(), Type.Array(Type.String()), Type.Null()]),
  });
  const check = serializer.compile(schema);

  it('a bad non-null value of a nullable field gets only the issue of the branch it took', () => {
    expect(check({ max_tokens: -1, stop: null })).toEqual([
      { pointer: '/max_tokens', rule: 'minimum', message: 'must be >= 0' },
    ]);
    expect(check({ max_tokens: 'many', stop: null })).toEqual([
      { pointer: '/max_tokens', rule: 'type', message: 'must be integer' },
    ]);
    expect(check({ max_tokens: null, stop: null })).toEqual([]);
  });

  it('a nullable object with a bad property gets the property’s issue alone', () => {
    const nested = serializer.compile(
      Type.Object({ adam: Type.Union([Type.Object({ lr: Type.Number({ minimum: 0 }) }), Type.Null()]) }),
    );
    expect(nested({ adam: { lr: -1 } })).toEqual([
      { pointer: '/adam/lr', rule: 'minimum', message: 'must be >= 0' },
    ]);
  });

  it('a value that fits none of several alternatives gets one issue saying what would do', () => {
    expect(check({ max_tokens: 1, stop: 5 })).toEqual([
      { pointer: '/stop', rule: 'anyOf', message: 'must be a string, an array of strings or null' },
    ]);
  });
});

// Found by hand: `getAuditLog({ event_type: 'bogus' })` read "must be equal to constant (const)" twice
// and "must match a schema in anyOf", never naming a value that would do. TypeBox writes a union of
// literals as an anyOf of consts, the usual way an SDK author spells an enum.
describe('AjvJsonSerializer issues for unions of literals', () => {
  const serializer = new AjvJsonSerializer();
  const kind = Type.Union([Type.Literal('all'), Type.Literal('checkpoints'), Type.Literal(3)]);
  const check = serializer.compile(
    Type.Object({
      kind,
      maybe: Type.Union([kind, Type.Null()]),
      mixed: Type.Optional(Type.Union([Type.Literal('a'), Type.Integer()])),
    }),
  );

  it('a value outside the union gets one enum issue that lists the allowed values', () => {
    expect(check({ kind: 'bogus', maybe: null })).toEqual([
      { pointer: '/kind', rule: 'enum', message: 'must be one of "all", "checkpoints", 3' },
    ]);
    expect(check({ kind: 'all', maybe: 'nope' })).toEqual([
      { pointer: '/maybe', rule: 'enum', message: 'must be one of "all", "checkpoints", 3' },
    ]);
    expect(check({ kind: 3, maybe: 'checkpoints' })).toEqual([]);
  });

  it('a union that is not all literals gets one issue naming its alternatives', () => {
    expect(check({ kind: 'all', maybe: null, mixed: 'b' })).toEqual([
      { pointer: '/mixed', rule: 'anyOf', message: 'must be "a" or an integer' },
    ]);
  });
});

// Found by hand (round 25): `stop: ['a', 3]` or `stop: [-1]` against `string | string[] | integer≥0[]`
// (nullable) read five lines, one twice: every branch's errors and the anyOf summary, four about branches
// the value never took. Any plugin's union now gives one issue: the branch the value took, or what would do.
describe('AjvJsonSerializer issues for unions of several forms', () => {
  const serializer = new AjvJsonSerializer();
  const stop = Type.Union([
    Type.String(),
    Type.Array(Type.String()),
    Type.Array(Type.Integer({ minimum: 0 })),
  ]);
  const check = serializer.compile(
    Type.Object({
      stop: Type.Optional(Type.Union([stop, Type.Null()])),
      pick: Type.Optional(Type.Union([Type.Object({ a: Type.Number({ maximum: 1 }) }), Type.Integer()])),
      only: Type.Optional(Type.Unsafe({ oneOf: [{ type: 'string' }, { type: 'number', minimum: 2 }] })),
    }),
  );
  const ALL_FORMS = 'must be a string, an array of strings or an array of integers ≥ 0';

  it('a value inside the one branch it took gets that branch’s issue alone', () => {
    expect(check({ stop: [-1] })).toEqual([{ pointer: '/stop/0', rule: 'minimum', message: 'must be >= 0' }]);
    expect(check({ stop: [1, 2, -3] })).toEqual([
      { pointer: '/stop/2', rule: 'minimum', message: 'must be >= 0' },
    ]);
    expect(check({ pick: { a: 3 } })).toEqual([
      { pointer: '/pick/a', rule: 'maximum', message: 'must be <= 1' },
    ]);
    expect(check({ only: 1 })).toEqual([{ pointer: '/only', rule: 'minimum', message: 'must be >= 2' }]);
  });

  it('a mixed list gets one issue naming the forms and where each close one failed', () => {
    expect(check({ stop: ['a', 3] })).toEqual([
      {
        pointer: '/stop',
        rule: 'anyOf',
        message: `${ALL_FORMS} (as an array of strings, /stop/1 must be string; as an array of integers ≥ 0, /stop/0 must be integer)`,
      },
    ]);
  });

  it('a value of no accepted kind gets one issue listing the forms', () => {
    expect(check({ stop: 5 })).toEqual([{ pointer: '/stop', rule: 'anyOf', message: ALL_FORMS }]);
    expect(check({ stop: {}, pick: 'x', only: true })).toEqual([
      { pointer: '/stop', rule: 'anyOf', message: ALL_FORMS },
      { pointer: '/pick', rule: 'anyOf', message: 'must be an object with a or an integer' },
      { pointer: '/only', rule: 'oneOf', message: 'must be a string or a number ≥ 2' },
    ]);
    expect(check({ stop: null, pick: 1, only: 'x' })).toEqual([]);
  });

  // Found running the Tinkex suite: a text chunk without its (optional) tag, holding token 1.5, was
  // reported against the dmel chunk ("dmel is required", "tokens is not an allowed property").
  it('an object union goes by the tag the value names, else by the fewest missing or unknown properties', () => {
    const chunk = serializer.compile(
      Type.Union([
        Type.Object(
          { type: Type.Optional(Type.Literal('text')), tokens: Type.Array(Type.Integer()) },
          { additionalProperties: false },
        ),
        Type.Object({ type: Type.Literal('image'), data: Type.String() }, { additionalProperties: false }),
      ]),
    );
    const token = [{ pointer: '/tokens/0', rule: 'type', message: 'must be integer' }];
    expect(chunk({ tokens: [1.5] })).toEqual(token);
    expect(chunk({ type: 'text', tokens: [1.5] })).toEqual(token);
    expect(chunk({ type: 'image', data: 5 })).toEqual([
      { pointer: '/data', rule: 'type', message: 'must be string' },
    ]);
  });
});
