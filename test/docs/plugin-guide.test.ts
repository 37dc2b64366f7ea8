import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { todoServer } from '../../plugins/example-todo/test/support/todo-server.js';

// docs/plugin-authoring.md, as a newcomer pastes it. Every fenced block follows a
// `<!-- snippet: path -->` line naming the checked-in file it must equal; `npm run typecheck` compiles
// docs/snippets (tsconfig.json includes it) and this test runs them against a loopback server.
const root = fileURLToPath(new URL('../../', import.meta.url));
const guide = readFileSync(`${root}docs/plugin-authoring.md`, 'utf8');
const blocks = [...guide.matchAll(/(?:<!-- snippet: (\S+) -->\n)?```(\w+)\n([\s\S]*?)```/g)].map((m) => ({
  path: m[1],
  lang: m[2],
  text: m[3],
}));

describe('docs/plugin-authoring.md', () => {
  it('every code block is a checked-in file, verbatim, and every snippet file is shown', () => {
    expect(blocks.length).toBeGreaterThan(5);
    for (const block of blocks) {
      expect({ block: block.text.slice(0, 60), path: block.path }).toEqual({
        block: block.text.slice(0, 60),
        path: expect.any(String),
      });
      expect(block.text).toBe(readFileSync(`${root}${block.path}`, 'utf8'));
    }
    const shown = new Set(blocks.map((b) => b.path));
    for (const file of readdirSync(`${root}docs/snippets`)) expect(shown).toContain(`docs/snippets/${file}`);
  });

  describe('the snippets run as written', () => {
    let server: Awaited<ReturnType<typeof todoServer>>;
    const saved = { ...process.env };
    beforeAll(async () => {
      server = await todoServer({ token: 'guide-token' });
      Object.assign(process.env, { TODO_BASE_URL: server.url, TODO_TOKEN: 'guide-token' });
    });
    afterAll(async () => {
      process.env = saved;
      await server.close();
    });

    it('usage.ts: create, complete, cursor pages (no extra request), export future, SSE, upload', async () => {
      const log = jest.spyOn(console, 'log').mockImplementation(() => {});
      try {
        await import('../../docs/snippets/usage.js');
        expect(log.mock.calls.map((args) => args.join(' '))).toEqual([
          '[x] buy milk',
          '[ ] walk the dog',
          'export job job-1',
          'export ready at http://x/job-1.csv',
          'created buy milk',
          'created walk the dog',
          'attached 7 bytes',
        ]);
        // Pages of one: two requests for two todos; has_more: false saves the third.
        expect(server.seen.filter((line) => line.startsWith('GET /todos'))).toEqual([
          'GET /todos?limit=1',
          'GET /todos?after=t1&limit=1',
        ]);
      } finally {
        log.mockRestore();
      }
    });

    it('upload-progress.ts: a 1 MiB file from disk, reported from 0 % to 100 % once, then attached', async () => {
      // A server of its own: the todo it creates must not show in usage.ts's listing (any test order).
      const own = await todoServer({ token: 'guide-token' });
      const shared = process.env.TODO_BASE_URL;
      process.env.TODO_BASE_URL = own.url;
      const log = jest.spyOn(console, 'log').mockImplementation(() => {});
      try {
        await import('../../docs/snippets/upload-progress.js');
        const lines = log.mock.calls.map((args) => args.join(' '));
        expect(lines.at(-1)).toBe(`attached ${1024 * 1024} bytes`);
        const percents = lines.slice(0, -1).map((line) => /^attempt 1: (\d+)%$/.exec(line)?.[1]);
        expect(percents.every((p) => p !== undefined)).toBe(true);
        const numbers = percents.map(Number);
        expect(numbers[0]).toBe(0);
        expect(numbers.filter((n) => n === 100)).toHaveLength(1);
        expect(numbers.at(-1)).toBe(100);
        expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
        // Steps of 256 KiB, not one line per chunk: 0, four steps at most, and the end.
        expect(numbers.length).toBeGreaterThanOrEqual(3);
        expect(numbers.length).toBeLessThanOrEqual(6);
      } finally {
        log.mockRestore();
        process.env.TODO_BASE_URL = shared;
        await own.close();
      }
    });

    it("mock-agent.ts: undici's MockAgent answers through UndiciTransport({ dispatcher })", async () => {
      const log = jest.spyOn(console, 'log').mockImplementation(() => {});
      try {
        await import('../../docs/snippets/mock-agent.js');
        expect(log.mock.calls).toEqual([['mocked']]);
      } finally {
        log.mockRestore();
      }
    });
  });
});
