import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type TSchema, Type } from '@sinclair/typebox';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiKeyHeaderAuth } from '../../src/adapters/auth/api-key-header.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { ResponseValidationError } from '../../src/kernel/pipeline/stages/validate-response.js';

const KEY = 'sk-not-json-secret-0123456789';
let server: http.Server;
let url = '';

beforeAll(async () => {
  // A base URL that points at a web server, not the API: 200 and an HTML page (which echoes the key).
  server = http.createServer((req, res) => {
    req.resume();
    if (req.url === '/plain-json') {
      // A gateway that labels the API's JSON as text.
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      return res.end('{"a":1}');
    }
    if (req.url === '/empty-json') {
      // A gateway or a broken server: 200, nothing after the headers (also under a JSON Content-Type).
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end();
    }
    if (req.url === '/empty') {
      res.writeHead(200, { 'content-length': '0' });
      return res.end();
    }
    if (req.url === '/json-string') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end('"just a string"');
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<html><body>Welcome to nginx! You sent ${String(req.headers['x-api-key'])}</body></html>`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

describe('a response that is not JSON where the schema wants an object', () => {
  it('says so, with the Content-Type and the start of the body, scrubbed of secrets', async () => {
    const kernel = createKernel().use(
      definePlugin({
        name: 'svc',
        version: '1',
        defaults: { baseUrl: url, maxRetries: 0 },
        auth: { default: new ApiKeyHeaderAuth(KEY) },
        manifest: {
          name: 'svc',
          version: '1',
          endpoints: [
            {
              id: 'config',
              method: 'POST' as const,
              path: '/config',
              response: Type.Object({ a: Type.Number() }),
            },
            {
              id: 'stringly',
              method: 'POST' as const,
              path: '/json-string',
              response: Type.Object({ a: Type.Number() }),
            },
          ],
        },
      }),
    );
    const error = await kernel.call('config', {}).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ResponseValidationError);
    const message = (error as Error).message;
    expect(message).toMatch(
      /^Response of "config" is not JSON \(HTTP 200, Content-Type: text\/html; charset=utf-8\): "<html><body>Welcome to nginx! /,
    );
    expect(message).not.toContain(KEY);
    expect(String((error as Error).stack)).not.toContain(KEY);
    // JSON of the wrong shape (a string where an object belongs) is a schema mismatch, as before.
    const mismatch = await kernel.call('stringly', {}).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(mismatch?.message).toBe('Response of "stringly" does not match its schema:\n  /: must be object');
    await kernel.close();
  });

  /** A kernel of one plugin whose endpoints answer `{ a: number }` objects (`a` for `/plain-json`). */
  function svc(paths: Record<string, string>, a: TSchema = Type.Number()) {
    const endpoints = Object.entries(paths).map(([id, path]) => ({
      id,
      method: 'POST' as const,
      path,
      response: Type.Object({ a }),
    }));
    return createKernel().use(
      definePlugin({
        name: 'svc',
        version: '1',
        defaults: { baseUrl: url, maxRetries: 0 },
        manifest: { name: 'svc', version: '1', endpoints },
      }),
    );
  }

  /** A kernel whose one endpoint reads `/plain-json` (JSON labelled text/plain) as a `{ a }` object. */
  const plainJson = (a: TSchema) => svc({ plain: '/plain-json' }, a);

  it('is read as JSON when it is JSON the schema accepts, whatever its Content-Type (as Python reads it)', async () => {
    // Before: 'Response of "plain" is not JSON (HTTP 200, Content-Type: text/plain; …): "{\"a\":1}"'.
    const kernel = plainJson(Type.Number());
    await expect(kernel.call('plain', {})).resolves.toEqual({ a: 1 });
    await kernel.close();
  });

  it('is a schema mismatch naming the field when it is JSON the schema refuses', async () => {
    // Found by hand (probe36e): the same relabelled JSON with a field of the wrong type said
    // 'Response of "plain" is not JSON (HTTP 200, Content-Type: text/plain; …): "{\"a\":1}"',
    // quoting the JSON it called not JSON, and naming no field.
    const kernel = plainJson(Type.String());
    const error = await kernel.call('plain', {}).then(
      () => undefined,
      (e: unknown) => e as ResponseValidationError,
    );
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error?.notJson).toBe(false);
    expect(error?.message).toBe('Response of "plain" does not match its schema:\n  /a: must be string');
    await kernel.close();
  });

  // Round 37: an empty 200 said 'Response of "empty" does not match its schema:\n  /: must be object',
  // as if the server had sent something of the wrong shape.
  it('says the body was empty where an object was expected, naming the endpoint, typed as before', async () => {
    const kernel = svc({ emptyJson: '/empty-json', empty: '/empty' });
    for (const id of ['emptyJson', 'empty']) {
      const error = await kernel.call(id, {}).then(
        () => undefined,
        (e: unknown) => e as ResponseValidationError,
      );
      expect(error).toBeInstanceOf(ResponseValidationError);
      expect(error).toMatchObject({ endpointId: id, category: 'server', notJson: false });
      expect(error?.message).toMatch(
        new RegExp(`^Response of "${id}" was empty \\(HTTP 200, no body\\) where an object was expected$`),
      );
    }
    await kernel.close();
  });
});
