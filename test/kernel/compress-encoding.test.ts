import { describe, expect, it } from '@jest/globals';
import { ZlibCompression } from '../../src/adapters/compression/zlib-compression.js';
import { ValidationError } from '../../src/kernel/errors/validation-error.js';
import { createKernel } from '../../src/defaults/kernel.js';
import type { EndpointSpec } from '../../src/kernel/manifest/types.js';
import { definePlugin } from '../../src/kernel/plugin.js';
import type { Compression } from '../../src/ports/compression.js';
import { Ports } from '../../src/ports/index.js';

const pluginCompressing = (compress: EndpointSpec['compress']) =>
  definePlugin({
    name: 'packer',
    version: '1',
    defaults: { baseUrl: 'http://127.0.0.1:9' },
    manifest: {
      name: 'packer',
      version: '1',
      endpoints: [{ id: 'upload', method: 'POST', path: '/upload', compress }],
    },
  });

const refusal = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal');
};

/**
 * An endpoint's `compress.encoding` is checked when the plugin registers, against what the bound
 * Compression adapter can write: a typo (`zstandard`, `brotli`) used to fail only on the first call
 * that compressed, as an untyped "Request failed".
 */
describe('compress encodings at kernel.use', () => {
  it('refuses an encoding the adapter cannot write, naming the key and the allowed values', () => {
    const error = refusal(() => createKernel().use(pluginCompressing({ encoding: 'brotli' })));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([
      expect.objectContaining({ pointer: '/compress/encoding', rule: 'enum' }),
    ]);
    expect((error as Error).message).toContain('manifest "packer" endpoint "upload"');
    expect((error as Error).message).toMatch(
      /must be one of "gzip", "zstd" \(what the bound Compression adapter writes\), got "brotli"/,
    );
  });

  it('takes the encodings the adapter writes, in any case, and true/false', () => {
    for (const compress of [{ encoding: 'zstd' }, { encoding: 'GZIP', minBytes: 0 }, true, false]) {
      expect(() => createKernel().use(pluginCompressing(compress))).not.toThrow();
    }
    expect(new ZlibCompression().encodings).toEqual(['gzip', 'zstd']);
  });

  it('follows the adapter bound when the plugin registers; one that lists no encodings is trusted', () => {
    const brotli: Compression = {
      encodings: ['br'],
      compress: async (body) => ({ body, encoding: 'br' }),
      decompress: (body) => body,
    };
    const withBrotli = createKernel();
    withBrotli.register(Ports.Compression, brotli);
    expect(() => withBrotli.use(pluginCompressing({ encoding: 'br' }))).not.toThrow();
    const silent: Compression = { compress: async (body) => ({ body, encoding: 'x' }), decompress: (b) => b };
    const trusting = createKernel();
    trusting.register(Ports.Compression, silent);
    expect(() => trusting.use(pluginCompressing({ encoding: 'x-custom' }))).not.toThrow();
  });
});
