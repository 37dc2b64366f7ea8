import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadManifest } from '../../src/kernel/manifest/load.js';
import { ManifestError } from '../../src/kernel/manifest/manifest-error.js';
import { createKernel } from '../../src/defaults/kernel.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import { MemoryTransport } from '../../src/adapters/transport/memory-transport.js';
import { ValidationError } from '../../src/kernel/errors/validation-error.js';
import { Ports } from '../../src/ports/index.js';

describe('manifests from JSON files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pristine-manifest-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('loads, validates and serves a JSON manifest like a TypeScript one', async () => {
    const file = join(dir, 'm.json');
    await writeFile(
      file,
      JSON.stringify({
        name: 'json',
        version: '1',
        endpoints: [
          {
            id: 'echo',
            method: 'POST',
            path: '/echo',
            input: {
              type: 'object',
              properties: { n: { type: 'integer' } },
              required: ['n'],
              additionalProperties: false,
            },
          },
        ],
      }),
    );
    const manifest = await loadManifest(file);
    const kernel = createKernel().use(
      definePlugin({ name: 'json', version: '1', manifest, defaults: { baseUrl: 'http://json.test' } }),
    );
    const transport = new MemoryTransport((req) => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: req.body as string,
    }));
    kernel.register(Ports.Transport, transport);
    await expect(kernel.execute('echo', { n: 4 })).resolves.toMatchObject({ body: { n: 4 } });
    await expect(kernel.execute('echo', { n: 'four' })).rejects.toBeInstanceOf(ValidationError);
    expect(transport.requests).toHaveLength(1);
  });

  it('reports a broken file with its path', async () => {
    const file = join(dir, 'broken.json');
    await writeFile(file, '{ not json');
    await expect(loadManifest(file)).rejects.toBeInstanceOf(ManifestError);
  });

  // Found by hand, from JavaScript: the guide's `loadManifest(file)` given to definePlugin without
  // `await` failed with 'manifest "?": name is required', which sent the author to check the file.
  it('says to await loadManifest when given its promise', async () => {
    const file = join(dir, 'later.json');
    await writeFile(file, JSON.stringify({ name: 'later', version: '1', endpoints: [] }));
    const pending = loadManifest(file);
    const plugin = definePlugin({
      name: 'later',
      version: '1',
      manifest: pending as never,
      defaults: { baseUrl: 'http://json.test' },
    });
    expect(() => createKernel().use(plugin)).toThrow(/is a Promise: await loadManifest/);
    await pending;
  });

  // Round 37: a path that does not exist threw Node's raw ENOENT ("no such file or directory, open …"),
  // untyped, so a caller catching ManifestError for a bad manifest missed it.
  it('reports a file that is not there as a ManifestError naming the path, the cause kept', async () => {
    const file = join(dir, 'missing', 'manifest.json');
    const error = await loadManifest(file).then(
      () => undefined,
      (e: unknown) => e as ManifestError,
    );
    expect(error).toBeInstanceOf(ManifestError);
    expect(error?.message).toBe(
      `manifest file ${file}: path cannot be read (ENOENT: no such file or directory)`,
    );
    expect(error?.category).toBe('user');
    expect((error?.cause as { code?: string } | undefined)?.code).toBe('ENOENT');
  });
});
