import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild-wasm';
import { startFakeHub, type FakeHub } from '../support/fake-hub/index.js';

const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
const INDEX = join(ROOT, 'examples', 'tinkex', 'src', 'index.ts');

// Found by hand (round 27, reproduced in round 29): an app that bundles Tinkex (esbuild, one file in a
// folder of its own) ran, but the tokenizer Tinkex ships was looked for on disk next to the module, so
// `getTokenizer` of the emulator's `tinkex/byte-level` asked the Hub: offline a HubOfflineError, online a
// request to huggingface.co. The bundle runs here in a fresh Node with empty caches and a recording Hub.
describe("a bundled app's getTokenizer finds the tokenizer Tinkex ships", () => {
  let work: string;
  let hub: FakeHub;
  let app: string;

  beforeAll(async () => {
    work = await realpath(await mkdtemp(join(tmpdir(), 'tinkex-bundled-app-')));
    hub = await startFakeHub();
    const entry = join(work, 'app.mjs');
    await writeFile(
      entry,
      `import { getTokenizer } from ${JSON.stringify(INDEX)};\n` +
        "const tok = await getTokenizer('meta-llama/Llama-3.2-1B', { tokenizer_id: 'tinkex/byte-level' });\n" +
        "console.log(tok.id, JSON.stringify(tok.decode(tok.encode('hi', { add_special_tokens: false }))));\n",
    );
    app = join(work, 'dist', 'app.mjs');
    await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: app,
      // As an app bundle does: CommonJS packages inside an ES module need a `require`.
      banner: {
        js: "import { createRequire as __appRequire } from 'node:module'; const require = __appRequire(import.meta.url);",
      },
      logLevel: 'error',
    });
    // Packages required at run time (not bundled) resolve as from an app's node_modules.
    await symlink(join(ROOT, 'node_modules'), join(work, 'node_modules'), 'dir');
    await mkdir(join(work, 'home'));
  }, 120_000);

  afterAll(async () => {
    await hub.close();
    await rm(work, { recursive: true, force: true });
  });

  const run = (env: Record<string, string>) =>
    promisify(execFile)(process.execPath, [app], {
      cwd: work,
      env: { PATH: process.env.PATH ?? '', HOME: join(work, 'home'), HF_HOME: join(work, 'hf'), ...env },
    });

  it('loads it with the Hub offline', async () => {
    const { stdout } = await run({ HF_HUB_OFFLINE: '1' });
    expect(stdout).toBe('tinkex/byte-level "hi"\n');
  }, 60_000);

  it('loads it online without a request to the Hub', async () => {
    const before = hub.requests.length;
    const { stdout } = await run({ HF_ENDPOINT: hub.url });
    expect(stdout).toBe('tinkex/byte-level "hi"\n');
    expect(hub.requests.slice(before)).toEqual([]);
  }, 60_000);
});
