import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Type } from '@sinclair/typebox';
import { createKernel } from '../../src/defaults/kernel.js';
import { FileInputSchema } from '../../src/kernel/manifest/file-input.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { ExpiringToken } from '../support/expiring-token.js';
import { UPLOAD_ENDPOINT, uploadServer } from '../support/upload-server.js';

/**
 * A 401 on an upload whose file is read from disk (`{ path }`): the kernel renews the credential and
 * sends the request once more. That resend reused the attempt's multipart body, a stream of the file
 * the first send had already read, so it went out with the full `Content-Length` and none of the bytes:
 * the server waited for the body until the call's timeout (round 31: a 300 MiB upload across a server
 * restart hung for its 10-minute timeout). The resend now builds the body again, as a retry does.
 */
const FILE_BYTES = 256 * 1024;
let upload: Awaited<ReturnType<typeof uploadServer>>;

beforeAll(async () => {
  upload = await uploadServer('model.bin', FILE_BYTES, (req) =>
    req.headers.authorization === 'Bearer tok-2' ? 200 : 401,
  );
});
afterAll(() => upload.close());

describe('a renewed credential on an upload from disk', () => {
  it('sends the whole file again, not the stream the refused attempt consumed', async () => {
    const kernel = createKernel().use(
      definePlugin({
        name: 'uploads',
        version: '1',
        defaults: { baseUrl: upload.url, maxRetries: 0, breaker: false, timeoutMs: 5_000 },
        auth: { default: new ExpiringToken() },
        manifest: {
          name: 'uploads',
          version: '1',
          endpoints: [
            {
              ...UPLOAD_ENDPOINT,
              input: Type.Object({ file: FileInputSchema() }),
              response: Type.Object({ bytes: Type.Integer() }),
            },
          ],
        },
      }),
    );
    try {
      const answer = await kernel.call('upload', { file: { path: upload.file, filename: 'model.bin' } });
      expect(upload.received.map((r) => r.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-2']);
      // Both sends carried the whole multipart body (the file and its part headers).
      expect(upload.received[1]!.bytes).toBe(upload.received[0]!.bytes);
      expect(answer.bytes).toBeGreaterThan(FILE_BYTES);
    } finally {
      await kernel.close();
    }
  });
});
