import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { createKernel } from '../../src/defaults/kernel.js';
import { FileInputSchema } from '../../src/kernel/manifest/file-input.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { ExpiringToken } from '../support/expiring-token.js';

/**
 * A 401 on an upload whose file is read from disk (`{ path }`): the kernel renews the credential and
 * sends the request once more. That resend reused the attempt's multipart body, a stream of the file
 * the first send had already read, so it went out with the full `Content-Length` and none of the bytes:
 * the server waited for the body until the call's timeout (round 31: a 300 MiB upload across a server
 * restart hung for its 10-minute timeout). The resend now builds the body again, as a retry does.
 */
const FILE_BYTES = 256 * 1024;
let dir: string;
let file: string;
let server: http.Server;
let url: string;
const received: { token: string | undefined; bytes: number }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'renew-file-'));
  file = join(dir, 'model.bin');
  writeFileSync(file, Buffer.alloc(FILE_BYTES, 7));
  server = http.createServer((req, res) => {
    let bytes = 0;
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => {
      received.push({ token: req.headers.authorization, bytes });
      const ok = req.headers.authorization === 'Bearer tok-2';
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify(ok ? { bytes } : { error: 'token expired' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('a renewed credential on an upload from disk', () => {
  it('sends the whole file again, not the stream the refused attempt consumed', async () => {
    const kernel = createKernel().use(
      definePlugin({
        name: 'uploads',
        version: '1',
        defaults: { baseUrl: url, maxRetries: 0, breaker: false, timeoutMs: 5_000 },
        auth: { default: new ExpiringToken() },
        manifest: {
          name: 'uploads',
          version: '1',
          endpoints: [
            {
              id: 'upload',
              method: 'POST',
              path: '/uploads',
              bodyType: 'multipart',
              input: Type.Object({ file: FileInputSchema() }),
              response: Type.Object({ bytes: Type.Integer() }),
            },
          ],
        },
      }),
    );
    try {
      const answer = await kernel.call('upload', { file: { path: file, filename: 'model.bin' } });
      expect(received.map((r) => r.token)).toEqual(['Bearer tok-1', 'Bearer tok-2']);
      // Both sends carried the whole multipart body (the file and its part headers).
      expect(received[1]!.bytes).toBe(received[0]!.bytes);
      expect(answer.bytes).toBeGreaterThan(FILE_BYTES);
    } finally {
      await kernel.close();
    }
  });
});
