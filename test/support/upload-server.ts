import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What one request to the upload server carried. */
export interface ReceivedUpload {
  readonly bytes: number;
  readonly length: number | undefined;
  readonly authorization: string | undefined;
}

/** The endpoint both upload tests call: a multipart POST to /uploads (their inputs differ). */
export const UPLOAD_ENDPOINT = {
  id: 'upload',
  method: 'POST',
  path: '/uploads',
  bodyType: 'multipart',
} as const;

/**
 * A file of `fileBytes` on disk and a loopback server that counts the body bytes of each request
 * (`received`, oldest first; a test empties it with `received.length = 0`) and answers with the status
 * `answer` picks: 200 with `{ bytes }`, anything else with `{ error }`.
 */
export async function uploadServer(
  fileName: string,
  fileBytes: number,
  answer: (req: IncomingMessage) => number,
) {
  const dir = mkdtempSync(join(tmpdir(), 'upload-server-'));
  const file = join(dir, fileName);
  writeFileSync(file, Buffer.alloc(fileBytes, 3));
  const received: ReceivedUpload[] = [];
  const server = http.createServer((req, res) => {
    let bytes = 0;
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => {
      const length = req.headers['content-length'];
      received.push({
        bytes,
        length: length === undefined ? undefined : Number(length),
        authorization: req.headers.authorization,
      });
      const status = answer(req);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status === 200 ? { bytes } : { error: `answered ${status}` }));
    });
    // An upload the client aborts mid-body.
    req.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    file,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    async close(): Promise<void> {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
