import { describe, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { createKernel } from '../../src/defaults/kernel.js';
import { ManifestError } from '../../src/kernel/manifest/manifest-error.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import type { EndpointSpec } from '../../src/kernel/manifest/types.js';
import { AjvJsonSerializer } from '../../src/adapters/serializer/ajv-json-serializer.js';
import { Ports } from '../../src/ports/index.js';
import type { Serializer } from '../../src/ports/serializer.js';

function pluginWith(endpoints: unknown[], name = 'p') {
  return definePlugin({
    name,
    version: '1',
    manifest: { name, version: '1', endpoints: endpoints as EndpointSpec[] },
  });
}

const ok = { id: 'get_x', method: 'GET', path: '/x/{id}', input: Type.Object({ id: Type.String() }) };

describe('manifest validation at registration', () => {
  it.each([
    [{ ...ok, retries: 3 }, /endpoint "get_x": retries is not a known key/],
    [{ ...ok, method: 'FETCH' }, /endpoint "get_x": method "FETCH" is not an HTTP method/],
    [
      { ...ok, input: Type.Object({}) },
      /endpoint "get_x": path param "id" is missing from the required input properties/,
    ],
    [{ ...ok, input: undefined }, /endpoint "get_x": input must declare path param "id"/],
    [{ ...ok, path: 'x' }, /endpoint "get_x": path must start with "\/"/],
    [
      { ...ok, retry: 'aggressive' },
      /endpoint "get_x": retry references "aggressive", which the plugin does not declare/,
    ],
    [
      { ...ok, retry: { maxRetries: 1 } },
      /endpoint "get_x": retry must name a retry policy the plugin declares \(a string\), got an object/,
    ],
    [{ ...ok, query: ['limit'] }, /endpoint "get_x": query "limit" is not an input property/],
    [{ ...ok, stream: { terminator: '[DONE]', typo: 1 } }, /stream: typo is not a known key/],
    // Found by hand (an author's typos): each was accepted and then misbehaved on every call.
    [{ ...ok, query: 'id' }, /endpoint "get_x": query must be an array of input property names/],
    [{ ...ok, query: ['id'] }, /endpoint "get_x": query "id" is already a path param/],
    [
      {
        ...ok,
        input: Type.Object({ id: Type.String(), a: Type.String() }),
        query: ['a'],
        headers: { a: 'x-a' },
      },
      /endpoint "get_x": headers "a" is already a query param/,
    ],
    [
      { ...ok, headers: ['x-a'] },
      /endpoint "get_x": headers must be an object of input property → header name/,
    ],
    [{ ...ok, multiSegment: 'id' }, /endpoint "get_x": multiSegment must be an array of path param names/],
    [{ ...ok, idempotent: 'yes' }, /endpoint "get_x": idempotent must be a boolean/],
    [{ ...ok, resource: 5 }, /endpoint "get_x": resource must be a non-empty string/],
    [{ ...ok, description: 5 }, /endpoint "get_x": description must be a string/],
    // Found by hand: validated on every call, then silently dropped, since a GET has no body.
    [
      { ...ok, input: Type.Object({ id: Type.String(), limit: Type.Integer() }) },
      /endpoint "get_x": input property "limit" is never sent: a GET request has no body, so list it in query or headers/,
    ],
    [
      { ...ok, method: 'HEAD', input: Type.Object({ id: Type.String(), limit: Type.Integer() }) },
      /endpoint "get_x": input property "limit" is never sent: a HEAD request has no body/,
    ],
    [{ ...ok, timeoutMs: -1 }, /timeoutMs must be a positive number/],
    [{ ...ok, crossOriginCredentials: 'yes' }, /crossOriginCredentials must be a boolean/],
    [{ ...ok, callName: '' }, /endpoint "get_x": callName must be a non-empty identifier/],
    [{ ...ok, callName: 7 }, /endpoint "get_x": callName must be a non-empty identifier/],
    [
      { ...ok, response: { type: 'objekt' } },
      /endpoint "get_x": response is not a valid JSON schema: .*type/,
    ],
    // Found by hand: accepted here, then every call that set it failed check-headers.
    [
      {
        ...ok,
        input: Type.Object({ id: Type.String(), trace: Type.String() }),
        headers: { trace: 'X Trace' },
      },
      /endpoint "get_x": headers "trace" "X Trace" is not a valid header name/,
    ],
  ])('rejects %# with an error naming the endpoint and the field', (endpoint, message) => {
    const kernel = createKernel();
    expect(() => kernel.use(pluginWith([endpoint]))).toThrow(ManifestError);
    expect(() => kernel.use(pluginWith([endpoint]))).toThrow(message);
  });

  it('rejects duplicate ids within a manifest', () => {
    expect(() => createKernel().use(pluginWith([ok, ok]))).toThrow(/endpoint "get_x": id is declared twice/);
  });

  it('rejects duplicate plugin names and endpoint ids colliding across plugins', () => {
    const kernel = createKernel();
    kernel.use(pluginWith([ok], 'a'));
    expect(() => kernel.use(pluginWith([], 'a'))).toThrow(/plugin "a": name is already registered/);
    expect(() => kernel.use(pluginWith([ok], 'b'))).toThrow(/endpoint "get_x" collides with plugin "a"/);
  });

  it('rejects unknown top-level manifest keys', () => {
    const plugin = definePlugin({
      name: 'q',
      version: '1',
      manifest: { name: 'q', version: '1', endpoints: [], servers: [] } as never,
    });
    expect(() => createKernel().use(plugin)).toThrow(/manifest "q": servers is not a known key/);
  });
});

describe('validator compilation', () => {
  it('checks schemas at registration but compiles each validator on first use, once', async () => {
    const compiled: string[] = [];
    const serializer = new AjvJsonSerializer();
    const counting: Serializer = {
      contentType: serializer.contentType,
      compile: (schema, options) => {
        compiled.push(JSON.stringify(schema));
        return serializer.compile(schema, options);
      },
      checkSchema: (schema) => serializer.checkSchema(schema),
      encode: (value) => serializer.encode(value),
      decode: (bytes, type) => serializer.decode(bytes, type),
    };
    const kernel = createKernel({ baseUrl: 'http://127.0.0.1:9' });
    kernel.register(Ports.Serializer, counting);
    kernel.use(
      pluginWith([
        ok,
        { id: 'other', method: 'POST', path: '/y', input: Type.Object({ n: Type.Integer() }) },
      ]),
    );
    expect(compiled).toHaveLength(0);
    const other = kernel.endpoint('other');
    expect(other.validateInput?.({ n: 'x' })).toEqual([
      expect.objectContaining({ pointer: '/n', rule: 'type' }),
    ]);
    expect(other.validateInput?.({ n: 1 })).toEqual([]);
    expect(compiled).toHaveLength(1);
  });
});
