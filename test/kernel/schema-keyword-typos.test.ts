import { describe, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { createKernel } from '../../src/defaults/kernel.js';
import { ManifestError } from '../../src/kernel/manifest/manifest-error.js';
import { definePlugin, type PluginSpec } from '../../src/kernel/plugin.js';

/**
 * Found by hand, writing a plugin from docs/plugin-authoring.md: a misspelt JSON Schema keyword
 * (`Type.Integer({ minimun: 1 })`, `maxlength`) was accepted at `kernel.use` and then ignored, since Ajv
 * runs non-strict: the author believed a bound was checked that never was, and `0` or a 10 MB string
 * went to the server. A key within two edits of a validation keyword is now refused, naming it.
 */
function register(input: object) {
  const plugin = definePlugin({
    name: 'shop',
    version: '1',
    defaults: { baseUrl: 'http://127.0.0.1:9' },
    manifest: {
      name: 'shop',
      version: '1',
      endpoints: [{ id: 'buy', method: 'POST', path: '/buy', input }],
    },
  } as PluginSpec);
  return () => createKernel().use(plugin);
}

function refusal(input: object): ManifestError {
  try {
    register(input)();
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestError);
    return error as ManifestError;
  }
  throw new Error('expected a ManifestError');
}

describe('a misspelt schema keyword is refused at kernel.use', () => {
  it.each([
    [Type.Object({ n: Type.Integer({ minimun: 1 }) }), 'minimun', '/properties/n', 'minimum'],
    [Type.Object({ s: Type.String({ maxlength: 10 }) }), 'maxlength', '/properties/s', 'maxLength'],
    [{ type: 'object', requried: ['a'], properties: { a: { type: 'string' } } }, 'requried', '/', 'required'],
    [
      Type.Object({ tags: Type.Array(Type.String({ patern: '^[a-z]+$' })) }),
      'patern',
      '/properties/tags/items',
      'pattern',
    ],
    [
      Type.Object({ a: Type.Union([Type.String(), Type.Integer({ exclusiveMinumum: 0 })]) }),
      'exclusiveMinumum',
      '/properties/a/anyOf/1',
      'exclusiveMinimum',
    ],
  ])('%j: names %s, where it is, and the keyword meant', (input, key, where, meant) => {
    const error = refusal(input);
    expect(error.message).toContain('endpoint "buy"');
    expect(error.message).toContain(`"${key}" at ${where}`);
    expect(error.message).toContain(`did you mean "${meant}"?`);
  });

  it('accepts annotations, vendor keys and property names that look like keywords', () => {
    const input = Type.Object(
      {
        minimun: Type.Integer({ minimum: 1, description: 'a property may be named anything' }),
        pattern: Type.String({ 'x-order': 1, examples: ['a'], example: 'a' }),
        tags: Type.Array(Type.String(), { minItems: 1, uniqueItems: true }),
      },
      { title: 'Buy', $id: 'Buy' },
    );
    expect(register(input)).not.toThrow();
  });

  // Found by hand (probe36e), scanning real schemas: keys popular tools define were refused as typos of
  // `type`. json-schema-to-typescript reads `tsType` (the TypeScript type to emit); ajv-keywords'
  // `typeof` checks a JavaScript typeof. Neither is a misspelling of anything.
  it.each([
    ['tsType', Type.Object({ at: Type.String({ tsType: 'Date' }) })],
    ['typeof', { type: 'object', properties: { cb: { typeof: 'function' } } }],
  ])('accepts %s, a keyword of a popular tool', (_key, input) => {
    expect(register(input)).not.toThrow();
  });
});

// Found by hand (probe36e): a schema naming a `$schema` the kernel has no meta-schema for (2020-12,
// 2019-09, draft-04) threw ajv's bare `Error: no schema with key or ref "…"` out of kernel.use, naming
// neither the manifest, the endpoint nor what to do.
describe('a $schema the kernel cannot check against', () => {
  it.each([
    ['https://json-schema.org/draft/2020-12/schema', 'is not a meta-schema the kernel knows'],
    ['http://json-schema.org/draft-04/schema#', 'is not a meta-schema the kernel knows'],
    [7, 'must be a string'],
  ])('%j is a ManifestError naming the endpoint', (id, says) => {
    const error = refusal({ $schema: id, type: 'object' });
    expect(error.message).toContain('endpoint "buy": input is not a valid JSON schema: $schema');
    expect(error.message).toContain(says);
  });

  it('draft-07 named with or without its # is still checked', () => {
    expect(register({ $schema: 'http://json-schema.org/draft-07/schema', type: 'object' })).not.toThrow();
    expect(refusal({ $schema: 'http://json-schema.org/draft-07/schema#', type: 'objekt' }).message).toContain(
      'must be equal to one of the allowed values',
    );
  });
});
