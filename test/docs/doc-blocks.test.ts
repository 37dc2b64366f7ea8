import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { docCommands, docFiles } from '../../examples/tinkex/test/docs/doc-commands.js';

// The company rule "every command and snippet in README.md and docs/ is executed by a test", enforced: every
// code or shell block of README.md and docs/*.md must be run by a test, by one of the routes below, or be
// marked as something that is not run (```text, ```json). A new block that no test runs fails here.

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');

const CODE = new Set(['ts', 'typescript', 'tsx', 'js', 'javascript', 'mjs', 'cjs', 'jsx']);
const SHELL = new Set(['sh', 'bash', 'shell', 'zsh', 'console']);
/** Shown, not run: program output, help text, diagrams (```text) and wire data (```json). */
const NOT_RUN = new Set(['text', 'json']);

/** Example files whose body (minus the first line, naming the doc) is a docs block, verbatim. */
const EXAMPLE_DIRS = ['examples/tinkex/examples', 'examples/tinker-emulator/examples'];

/** Blocks a test reads from their section (not from a file); the test must name the heading. */
const RUN_FROM_SECTION = [
  { file: 'docs/architecture.md', heading: 'Running a fleet', test: 'test/kernel/shared-state.test.ts' },
];

/** Every ```ts block of README.md: readme-snippets.test.ts runs each as a file and fails on an unknown one. */
const README_SNIPPETS_TEST = 'examples/tinkex/test/docs/readme-snippets.test.ts';

/** Shell commands that the docs-command test (readme.test.ts) does not run, each with where it does run. */
const COMMANDS_RUN_ELSEWHERE: Record<string, string> = {
  'npm ci && npm start': '.ci/run runs `npm ci`; readme.test.ts runs `npm start -- --steps 50` and `--json`',
  'npm ci && npm test': '.ci/run runs exactly this (a test cannot run the suite it belongs to)',
  'sh scripts/ensure-redis.sh': 'test/fleet/ensure-redis.test.ts runs it (and .ci/run, before the tests)',
};

interface DocBlock {
  file: string;
  line: number;
  lang: string;
  code: string;
  heading: string;
  /** The path of a `<!-- snippet: path -->` line just before the block. */
  snippet?: string;
}

/** The fenced blocks of a markdown text, with their language, line, heading and snippet marker. */
function blocksOf(file: string, text: string): DocBlock[] {
  const blocks: DocBlock[] = [];
  for (const m of text.matchAll(/^(?:<!-- snippet: (\S+) -->\n)?```(\S*)\n([\s\S]*?)^```$/gm)) {
    const before = text.slice(0, m.index);
    blocks.push({
      file,
      line: before.split('\n').length + (m[1] ? 1 : 0),
      lang: m[2],
      code: m[3],
      heading: [...before.matchAll(/^#+ (.+)$/gm)].at(-1)?.[1] ?? '',
      snippet: m[1],
    });
  }
  return blocks;
}

/** The text of every test file (test/, examples/*\/test, plugins/*\/test), to check what they run. */
function testSources(): string {
  const dirs = [
    'test',
    ...['examples', 'plugins'].flatMap((top) => readdirSync(join(root, top)).map((d) => `${top}/${d}/test`)),
  ];
  const texts: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (/\.test\.ts$/.test(entry.name)) texts.push(read(path));
    }
  };
  for (const dir of dirs) if (existsSync(join(root, dir))) walk(dir);
  return texts.join('\n');
}

interface Context {
  tests: string;
  /** Example body → its path. */
  examples: Map<string, string>;
  /** Commands the docs-command test runs. */
  commands: Set<string>;
  /** The text of docs/snippets/*.ts, where snippets import each other. */
  snippets: string;
}

function context(): Context {
  const examples = new Map<string, string>();
  for (const dir of EXAMPLE_DIRS)
    for (const name of readdirSync(join(root, dir)).filter((n) => n.endsWith('.ts')))
      examples.set(read(`${dir}/${name}`).split('\n').slice(1).join('\n'), `${dir}/${name}`);
  const snippets = readdirSync(join(root, 'docs/snippets'))
    .map((n) => read(`docs/snippets/${n}`))
    .join('\n');
  return {
    tests: testSources(),
    examples,
    commands: new Set(docCommands(root).map((c) => c.command)),
    snippets,
  };
}

/** Why a block is run (a route), or undefined when nothing runs it. */
function routeOf(block: DocBlock, ctx: Context): string | undefined {
  const ranAs = (path: string) => path.split('/').at(-1)!.replace(/\.ts$/, '.js');
  if (NOT_RUN.has(block.lang)) return 'not run';
  if (SHELL.has(block.lang)) {
    const lines = block.code.split('\n').map((l) => l.trim());
    const unrun = lines
      .filter((l) => l && !l.startsWith('#'))
      .filter((l) => !ctx.commands.has(l) && !(l.replace(/\s+#\s.*$/, '') in COMMANDS_RUN_ELSEWHERE));
    return unrun.length === 0 ? 'commands' : undefined;
  }
  if (!CODE.has(block.lang)) return undefined;
  if (block.snippet) {
    // plugin-guide.test.ts checks the file is the block; a snippet must also be run (imported by a test or
    // by a snippet that is); other files (package.json, jest.config.js) are the plugin's own, in use.
    if (!existsSync(join(root, block.snippet)) || read(block.snippet) !== block.code) return undefined;
    if (!block.snippet.startsWith('docs/snippets/')) return 'checked-in file';
    const name = ranAs(block.snippet);
    return ctx.tests.includes(name) || ctx.snippets.includes(`./${name}`) ? 'snippet' : undefined;
  }
  const example = ctx.examples.get(block.code);
  if (example) {
    // Imported by a docs test as '../../examples/<name>.js' (or by name through a helper: run('<name>.js')).
    const name = ranAs(example);
    const imported = ctx.tests.includes(`examples/${name}`) || ctx.tests.includes(`'${name}'`);
    return imported ? `example ${example}` : undefined;
  }
  if (block.file === 'README.md' && block.lang === 'ts')
    return existsSync(join(root, README_SNIPPETS_TEST)) ? 'readme snippet' : undefined;
  const section = RUN_FROM_SECTION.find((s) => s.file === block.file && s.heading === block.heading);
  if (section && read(section.test).includes(`## ${section.heading}`)) return `section, ${section.test}`;
  return undefined;
}

describe('every code and shell block of README.md and docs/*.md is run by a test', () => {
  const ctx = context();
  const blocks = docFiles(root).flatMap((file) => blocksOf(file, read(file)));

  it('finds the blocks (a parser that finds none would pass everything)', () => {
    expect(blocks.length).toBeGreaterThan(30);
    expect(blocks.filter((b) => CODE.has(b.lang)).length).toBeGreaterThan(20);
    expect(blocks.filter((b) => SHELL.has(b.lang)).length).toBeGreaterThanOrEqual(5);
  });

  it('no block is left unrun, and every block says its language', () => {
    const unrun = blocks
      .filter((b) => routeOf(b, ctx) === undefined)
      .map((b) => `${b.file}:${b.line} (${b.lang || 'no language'}, under "${b.heading}")`);
    expect(unrun).toEqual([]);
  });

  it('the allow-list of commands run elsewhere is still what the docs show (no stale entries)', () => {
    const shown = blocks
      .filter((b) => SHELL.has(b.lang))
      .flatMap((b) => b.code.split('\n').map((l) => l.trim().replace(/\s+#\s.*$/, '')));
    for (const command of Object.keys(COMMANDS_RUN_ELSEWHERE)) expect(shown).toContain(command);
  });

  it('catches a fragment nobody runs, a command nobody runs, and an unlabeled block', () => {
    const doc = [
      '## Setup',
      '```ts',
      "const service = new ServiceClient({ api_key: 'tml-…' });",
      '```',
      '```sh',
      'npx tinkex --help',
      'curl https://example.com',
      '```',
      '```',
      'plain',
      '```',
      '<!-- snippet: docs/snippets/usage.ts -->',
      '```ts',
      'not the file',
      '```',
    ].join('\n');
    const found = blocksOf('docs/new.md', doc);
    expect(found.map((b) => [b.line, b.lang, b.heading])).toEqual([
      [2, 'ts', 'Setup'],
      [5, 'sh', 'Setup'],
      [9, '', 'Setup'],
      [13, 'ts', 'Setup'],
    ]);
    expect(found.map((b) => routeOf(b, ctx))).toEqual([undefined, undefined, undefined, undefined]);
    // The same command alone is one the docs-command test runs.
    expect(routeOf({ ...found[1], code: 'npx tinkex --help\n' }, ctx)).toBe('commands');
  });
});
