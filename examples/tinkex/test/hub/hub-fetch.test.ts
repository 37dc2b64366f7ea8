import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { openAsBlob } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  APIConnectionError,
  APITimeoutError,
  APIUserAbortError,
  FakeClock,
  SilentLogger,
  SystemClock,
  UndiciTransport,
} from 'pristine-kernel';
import { hubFetch } from '../../src/hub/hub-fetch.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function serve(handler: Handler): Promise<{ url: string; server: Server; seen: IncomingMessage[] }> {
  const seen: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    seen.push(req);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, seen };
}

describe('hubFetch: the fetch given to @huggingface/hub', () => {
  let hub: Awaited<ReturnType<typeof serve>>;
  let cdn: Awaited<ReturnType<typeof serve>>;
  const transport = new UndiciTransport();
  const deps = { transport, clock: new SystemClock(), proxyFor: () => undefined, logger: new SilentLogger() };

  beforeAll(async () => {
    cdn = await serve((req, res) => {
      if (req.url === '/lfs-put') {
        let bytes = 0;
        req.on('data', (chunk: Buffer) => (bytes += chunk.length));
        req.on('end', () => res.writeHead(200).end(String(bytes)));
        return;
      }
      if (req.url === '/stall') {
        res.writeHead(200);
        res.write('first chunk');
        return; // and nothing more
      }
      res.writeHead(200, { etag: '"cdn-etag"' }).end('from the cdn');
    });
    hub = await serve((req, res) => {
      if (req.url === '/hang') return; // never answers
      if (req.url === '/redirect')
        return res
          .writeHead(302, {
            location: `${cdn.url}/object`,
            'x-linked-etag': '"sha256-of-file"',
            'x-repo-commit': 'c0ffee',
          })
          .end();
      res.writeHead(200).end('hub');
    });
  });
  afterAll(async () => {
    await transport.close();
    for (const { server } of [hub, cdn]) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  const auth = { headers: { Authorization: 'Bearer hf_secret_value' } };

  it("reports an upload's bytes to @huggingface/hub's progressHint: from 0 to 1, once at 1, in steps", async () => {
    const f = hubFetch(hub.url, 5_000, undefined, deps);
    const size = 1024 * 1024 + 7;
    const dir = await mkdtemp(join(tmpdir(), 'hub-fetch-'));
    const file = join(dir, 'adapter_model.safetensors');
    await writeFile(file, new Uint8Array(size));
    const progress: number[] = [];
    // What the library passes with a single-PUT LFS upload, for a fetch that can report progress.
    const init = {
      method: 'PUT',
      body: await openAsBlob(file), // as the push hands the library its files
      progressHint: { path: 'adapter_model.safetensors', progressCallback: (p: number) => progress.push(p) },
    };
    try {
      const response = await f(`${cdn.url}/lfs-put`, init as RequestInit);
      expect(await response.text()).toBe(String(size));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(progress[0]).toBe(0);
    for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1]!);
    expect(progress.filter((p) => p === 1)).toHaveLength(1);
    expect(progress.at(-1)).toBe(1);
    // Moving between the ends, and not once per chunk: 0, a step per 256 KiB, the end.
    expect(progress.some((p) => p > 0 && p < 1)).toBe(true);
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(size / (256 * 1024)) + 2);
  });

  it('sends the token to the Hub origin, never to another one, also across a redirect; keeps the file headers', async () => {
    const f = hubFetch(hub.url, 5_000, undefined, deps);
    expect(await (await f(`${hub.url}/plain`, auth)).text()).toBe('hub');
    expect(hub.seen.at(-1)!.headers.authorization).toBe('Bearer hf_secret_value');

    const redirected = await f(`${hub.url}/redirect`, auth);
    expect(await redirected.text()).toBe('from the cdn');
    expect(cdn.seen.at(-1)!.headers.authorization).toBeUndefined();
    // huggingface_hub reads the file's etag and commit from the redirect, not from the CDN.
    expect(redirected.headers.get('x-linked-etag')).toBe('"sha256-of-file"');
    expect(redirected.headers.get('x-repo-commit')).toBe('c0ffee');

    await f(`${cdn.url}/direct`, auth);
    expect(cdn.seen.at(-1)!.headers.authorization).toBeUndefined();
  });

  it('a Hub that never answers is an APITimeoutError after timeoutMs', async () => {
    await expect(hubFetch(hub.url, 100, undefined, deps)(`${hub.url}/hang`)).rejects.toThrow(APITimeoutError);
  });

  it('a body that stalls between chunks is an APITimeoutError once timeoutMs passes on the clock', async () => {
    const clock = new FakeClock();
    const response = await hubFetch(hub.url, 1_000, undefined, { ...deps, clock })(`${cdn.url}/stall`);
    const reader = response.body!.getReader();
    expect(Buffer.from((await reader.read()).value!).toString()).toBe('first chunk');
    const next = reader.read().then(
      () => 'a chunk',
      (error: unknown) => error,
    );
    await clock.advance(999);
    expect(clock.pending).toBe(1);
    await clock.advance(1);
    expect(await next).toBeInstanceOf(APITimeoutError);
    expect(clock.pending).toBe(0);
  });

  it('the caller’s signal aborts (APIUserAbortError); an unreachable Hub is an APIConnectionError', async () => {
    const controller = new AbortController();
    const pending = hubFetch(hub.url, 10_000, controller.signal, deps)(`${hub.url}/hang`);
    controller.abort();
    await expect(pending).rejects.toThrow(APIUserAbortError);

    const closed = await serve(() => {});
    const url = closed.url;
    await new Promise((resolve) => closed.server.close(resolve));
    const error = await hubFetch(url, 5_000, undefined, deps)(`${url}/x`, auth).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error).not.toBeInstanceOf(APITimeoutError);
    expect(String((error as Error).message)).not.toContain('hf_secret_value');
  });
});
