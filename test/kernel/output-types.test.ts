import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { create, toBinary } from '@bufbuild/protobuf';
import { DurationSchema } from '@bufbuild/protobuf/wkt';
import { Type } from '@sinclair/typebox';
import { Readable } from 'node:stream';
import { createKernel } from '../../src/defaults/kernel.js';
import { ValidationError } from '../../src/kernel/errors/validation-error.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { defineManifest } from '../../src/kernel/manifest/types.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { scriptedServer } from '../support/scripted-server.js';

// `kernel.call` and `kernel.execute` promise what the kernel returns at run time, not the JSON response
// schema's type whatever the endpoint reads: the text of a `responseType: 'text'` body, the Buffer of a
// `'bytes'` one, nothing for a stream (its live response is on `execute`'s result), and `unknown` when a
// codec may decode the body (`responseBodies`). `npm run typecheck` compiles this file: the typed
// assignments did not compile before (each was `unknown`, or the schema's type), nor did the uncast
// `.response.body`; each `@ts-expect-error` pins a type that must not come back (an unused one fails):
// a call's own `responseBodies` option also makes the body `unknown`.
// `validateInput` takes a literal id's input type, and any input for a computed id.

const Seconds = Type.Object({ seconds: Type.String() });
const manifest = defineManifest({
  name: 'outputs',
  version: '1',
  endpoints: [
    { id: 'get_text', method: 'GET', path: '/text', responseType: 'text' },
    { id: 'get_bytes', method: 'GET', path: '/bytes', responseType: 'bytes' },
    { id: 'download', method: 'GET', path: '/download', responseType: 'stream' },
    { id: 'get_json', method: 'GET', path: '/json', responseType: 'json', response: Seconds },
    {
      id: 'get_coded',
      method: 'GET',
      path: '/coded',
      response: Seconds,
      responseBodies: { 'application/x-protobuf': DurationSchema },
    },
    {
      id: 'put_name',
      method: 'PUT',
      path: '/names',
      input: Type.Object({ name: Type.String({ minLength: 1 }) }),
      responseType: 'text',
    },
  ],
});

const proto = Buffer.from(toBinary(DurationSchema, create(DurationSchema, { seconds: 90n })));

describe('call and execute output types follow what the kernel returns', () => {
  let server: Awaited<ReturnType<typeof scriptedServer>>;
  let kernel: Kernel<(typeof manifest)['endpoints'][number]>;
  beforeAll(async () => {
    server = await scriptedServer((req, res) => {
      if (req.path === '/coded')
        return res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(proto);
      if (req.path === '/json')
        return res.writeHead(200, { 'content-type': 'application/json' }).end('{"seconds":"90"}');
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end('{"seconds":"90"}');
    });
    kernel = createKernel().use(
      definePlugin({
        name: 'outputs',
        version: '1',
        manifest,
        defaults: { baseUrl: server.url, maxRetries: 0, breaker: false },
      }),
    );
  });
  afterAll(async () => {
    await kernel.close();
    await server.close();
  });

  it('text is a string, bytes a Buffer, JSON the schema type', async () => {
    const text: string = await kernel.call('get_text');
    expect(text).toBe('{"seconds":"90"}');
    const bytes: Buffer = await kernel.call('get_bytes');
    expect(Buffer.isBuffer(bytes)).toBe(true);
    expect(bytes.toString('utf8')).toBe(text);
    const decoded: { seconds: string } = await kernel.call('get_json');
    expect(decoded).toEqual({ seconds: '90' });
    const executed = await kernel.execute('get_text');
    expect(executed.body.length).toBe(text.length);
  });

  it('a stream endpoint resolves no body; execute gives its live response', async () => {
    const nothing: undefined = await kernel.call('download');
    expect(nothing).toBeUndefined();
    const result = await kernel.execute('download');
    expect(result.timeoutMs).toBeGreaterThan(0);
    const chunks: Buffer[] = [];
    for await (const chunk of Readable.from(result.response.body)) chunks.push(Buffer.from(chunk));
    expect(Buffer.concat(chunks).toString('utf8')).toBe('{"seconds":"90"}');
  });

  it('a body a codec may decode is unknown, not the response schema type', async () => {
    const body = await kernel.call('get_coded');
    // @ts-expect-error the codec decoded it: a protobuf message, not `{ seconds: string }`
    const seconds: string = body.seconds;
    expect(typeof seconds).toBe('bigint');
  });

  it("a call's own responseBodies make its body unknown, whatever the endpoint declares", async () => {
    const options = { responseBodies: { 'application/x-protobuf': DurationSchema } };
    const body = await kernel.call('get_json', undefined, options);
    // @ts-expect-error a codec may decode this call's body: not `{ seconds: string }`
    void body.seconds;
    const result = await kernel.execute('get_json', undefined, options);
    // @ts-expect-error the same for execute's body
    void result.body.seconds;
    expect([body, result.body]).toEqual([{ seconds: '90' }, { seconds: '90' }]);
    const typed: { seconds: string } = await kernel.call('get_json', undefined, { timeoutMs: 5_000 });
    expect(typed).toEqual({ seconds: '90' });
  });

  it('validateInput takes the endpoint input type for a literal id, anything for a computed one', () => {
    expect(() => kernel.validateInput('put_name', { name: 'a' })).not.toThrow();
    // @ts-expect-error put_name's input is `{ name }`
    expect(() => kernel.validateInput('put_name', { nme: 'a' })).toThrow(ValidationError);
    // @ts-expect-error no such endpoint: a literal id must be one of the kernel's
    expect(() => kernel.validateInput('put_nme', { name: 'a' })).toThrow(/put_nme/);
    const computed: string = ['put', 'name'].join('_');
    expect(() => kernel.validateInput(computed, { name: '' })).toThrow(ValidationError);
  });
});
