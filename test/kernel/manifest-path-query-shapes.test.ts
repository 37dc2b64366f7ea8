import { describe, expect, it } from '@jest/globals';
import { Type, type TSchema } from '@sinclair/typebox';
import { MemoryTransport } from '../../src/adapters/transport/memory-transport.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { ManifestError } from '../../src/kernel/manifest/manifest-error.js';
import { definePlugin, type PluginSpec } from '../../src/kernel/plugin.js';
import { Ports } from '../../src/ports/index.js';
import { rejected } from '../support/validation-errors.js';

/**
 * Found by hand, writing a plugin from docs/plugin-authoring.md: a path with a fixed query
 * (`/a?x=1`) was accepted and sent as `/a?x=1?y=2`; an unclosed `{id` was reported as "input property
 * "id" is never sent"; a misspelt endpoint key said "reponse is not a known key" with no hint; and an
 * object given for a query param went out as `?f=%5Bobject+Object%5D`.
 */
function use(endpoint: Record<string, unknown>) {
  const plugin = definePlugin({
    name: 'shop',
    version: '1',
    defaults: { baseUrl: 'http://127.0.0.1:9' },
    manifest: { name: 'shop', version: '1', endpoints: [{ id: 'a', method: 'GET', ...endpoint }] },
  } as unknown as PluginSpec);
  return () => createKernel().use(plugin);
}

function refusal(endpoint: Record<string, unknown>): string {
  try {
    use(endpoint)();
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestError);
    return (error as Error).message;
  }
  throw new Error('expected a ManifestError');
}

const id = Type.Object({ id: Type.String() });

describe('manifest paths and keys', () => {
  it.each([
    [{ path: '/a?x=1' }, 'path', 'query'],
    [{ path: '/a#top' }, 'path', 'fragment'],
    [{ path: '/a/{id', input: id }, 'path', '"{"'],
    [{ path: '/a/id}', input: id }, 'path', '"}"'],
    [{ path: '/a/{my-id}', input: Type.Object({ 'my-id': Type.String() }) }, 'path', '"{"'],
  ])('%j is refused naming %s (%s)', (endpoint, field, words) => {
    const message = refusal(endpoint);
    expect(message).toContain(`endpoint "a": ${field}`);
    expect(message).toContain(words);
  });

  it('a misspelt endpoint key names the key it likely meant', () => {
    expect(refusal({ path: '/a', reponse: Type.Object({}) })).toContain(
      'reponse is not a known key (did you mean "response"?)',
    );
  });

  it('a path with params in braces is still accepted', () => {
    expect(use({ path: '/a/{id}/b', input: id })).not.toThrow();
  });
});

describe('query param values', () => {
  function kernelWith(f: TSchema) {
    const transport = new MemoryTransport(() => ({ status: 200, body: {} }));
    const plugin = definePlugin({
      name: 'shop',
      version: '1',
      defaults: { baseUrl: 'http://127.0.0.1:9', maxRetries: 0 },
      manifest: {
        name: 'shop',
        version: '1',
        endpoints: [{ id: 'find', method: 'GET', path: '/find', query: ['f'], input: Type.Object({ f }) }],
      },
    });
    const kernel = createKernel().use(plugin).register(Ports.Transport, transport);
    return { kernel, transport };
  }

  it.each([
    ['an object', Type.Object({ a: Type.Number() }), { a: 1 }],
    ['an array of objects', Type.Array(Type.Object({ a: Type.Number() })), [{ a: 1 }]],
    ['an array of arrays', Type.Array(Type.Array(Type.String())), [['a']]],
  ])('%s is a ValidationError naming the param, nothing sent', async (_case, schema, value) => {
    const { kernel, transport } = kernelWith(schema);
    const error = await rejected(kernel.call('find', { f: value } as never));
    expect(error.issues).toEqual([expect.objectContaining({ pointer: '/f', rule: 'type' })]);
    expect(error.message).toContain('query parameter "f"');
    expect(transport.requests).toHaveLength(0);
    await kernel.close();
  });

  it('strings, numbers, booleans and arrays of them are sent', async () => {
    const { kernel, transport } = kernelWith(
      Type.Array(Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
    );
    await kernel.call('find', { f: ['a', 1, true] });
    expect(transport.requests[0]?.url).toMatch(/\/find\?f=a&f=1&f=true$/);
    await kernel.close();
  });
});
