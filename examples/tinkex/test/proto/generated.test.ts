import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const protoDir = path.resolve(here, '../../proto');
const committed = path.resolve(here, '../../src/proto/gen/tinker_public_pb.ts');
const bin = path.resolve(here, '../../../../node_modules/.bin');

/** The plugin options of proto/buf.gen.yaml (`npm run proto`), so this check and the script agree. */
function pluginOptions(): string[] {
  const yaml = readFileSync(path.join(protoDir, 'buf.gen.yaml'), 'utf8');
  const block = /\n {4}opt:\n((?: {6}- .*\n)+)/.exec(yaml);
  if (!block) throw new Error('buf.gen.yaml has no opt list');
  return block[1]
    .trim()
    .split('\n')
    .map((line) => line.trim().replace(/^- /, ''));
}

describe('generated protobuf code', () => {
  it('is what protoc-gen-es makes of proto/tinker_public.proto today (run `npm run proto` if not)', () => {
    // The runtime comes through the kernel (one protobuf-es per process): see bundled-runtime.test.ts.
    expect(pluginOptions()).toEqual(
      expect.arrayContaining(['rewrite_imports=@bufbuild/protobuf:pristine-kernel/protobuf']),
    );
    const out = mkdtempSync(path.join(tmpdir(), 'tinkex-proto-'));
    try {
      const template = JSON.stringify({
        version: 'v2',
        plugins: [{ local: 'protoc-gen-es', out, opt: pluginOptions() }],
      });
      execFileSync(path.join(bin, 'buf'), ['generate', '--template', template], {
        cwd: protoDir,
        env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const fresh = readFileSync(path.join(out, 'tinker_public_pb.ts'), 'utf8');
      expect(readFileSync(committed, 'utf8')).toBe(fresh);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
