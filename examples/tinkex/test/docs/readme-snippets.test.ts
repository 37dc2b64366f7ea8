import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator, type RunningEmulator } from 'tinker-emulator';
import { buildCli } from '../support/cli/run-cli.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const LOADER = join(root, 'test', 'support', 'ts-loader.mjs');

/**
 * How README.md says to run a snippet, on the Node running this test: `node file.mts` where Node strips
 * types by default (22.18+, 23.6+, 24), with `--experimental-strip-types` on 22.6–22.17 and 23.0–23.5.
 * Node 20 has no type stripping and the README says `npx tsx`, which would need the network: there the
 * repository's own loader (swc, as Jest uses) stands in for tsx. `.ci/run` runs this file on Node 24 too.
 */
function nodeArgsForTypeScript(): string[] {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major >= 24 || (major === 22 && minor >= 18) || (major === 23 && minor >= 6)) return [];
  if (major >= 22 && (major > 22 || minor >= 6)) return ['--experimental-strip-types'];
  return ['--import', LOADER];
}

/** The ```ts blocks of README.md, in order, with the heading they follow. */
function readmeSnippets(): { heading: string; code: string }[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const snippets: { heading: string; code: string }[] = [];
  let heading = '';
  for (const part of readme.split(/(```ts\n[\s\S]*?```)/)) {
    if (part.startsWith('```ts\n')) snippets.push({ heading, code: part.slice(6, -3) });
    else heading = [...part.matchAll(/^#+ (.+)$/gm)].at(-1)?.[1] ?? heading;
  }
  return snippets;
}

/** The todo API the Pristine snippet calls (POST /todos → 201 {id, title}). */
async function todoApi() {
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/todos') return res.writeHead(404).end();
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 't1', title: JSON.parse(raw).title }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Run `node [args] file` in its own process, as a reader would; resolves with its exit and output. */
function run(file: string, env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [...nodeArgsForTypeScript(), file], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TINKER_TELEMETRY: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('every TypeScript snippet of README.md runs as a file, as the README says', () => {
  let emulator: RunningEmulator;
  let todos: Awaited<ReturnType<typeof todoApi>>;
  let dir: string;
  beforeAll(async () => {
    // Inside the repository, so `tinkex` and `pristine-kernel` resolve as they do for a reader there (built
    // packages; buildCli builds them when stale).
    await mkdir(join(root, '.tmp'), { recursive: true });
    [emulator, todos, dir] = await Promise.all([
      startEmulator({ seed: 7 }),
      todoApi(),
      mkdtemp(join(root, '.tmp', 'readme-snippets-')),
      buildCli(),
    ]).then(([e, t, d]) => [e, t, d] as const);
  }, 300_000);
  afterAll(async () => {
    await Promise.all([emulator.close(), todos.close(), rm(dir, { recursive: true, force: true })]);
  });

  /** What each snippet must print (a snippet not listed here fails the test: add it). */
  const expected: Record<string, RegExp> = {
    '30 seconds with Tinkex (Tinker users)': / brown fox/,
    '30 seconds with Pristine (SDK authors)': /^t1 write docs\n$/,
  };

  it('finds the snippets', () => {
    expect(readmeSnippets().map((s) => s.heading)).toEqual(Object.keys(expected));
  });

  it.each(readmeSnippets().map((s, i) => [s.heading, s.code, i] as const))(
    '%s',
    async (heading, code, i) => {
      const file = join(dir, `snippet-${i}.mts`);
      await writeFile(file, code);
      const result = await run(file, {
        TINKER_BASE_URL: emulator.url,
        TINKER_API_KEY: 'tml-readme-snippets',
        TINKER_LOG: 'off',
        TODO_BASE_URL: todos.url,
      });
      expect({ heading, code: result.code, stderr: result.code === 0 ? '' : result.stderr }).toEqual({
        heading,
        code: 0,
        stderr: '',
      });
      expect(result.stdout).toMatch(expected[heading]);
    },
    120_000,
  );
});
