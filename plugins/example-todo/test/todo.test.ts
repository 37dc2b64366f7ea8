import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ports, ValidationError, type Clock } from 'pristine-kernel';
import { TodoClient } from '../src/index.js';

/** A tiny in-process todo server on 127.0.0.1:0. */
async function todoServer() {
  const todos: { id: string; title: string; done: boolean }[] = [];
  const jobs = new Map<string, number>();
  const auth: string[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      auth.push(String(req.headers.authorization));
      const url = new URL(req.url!, 'http://x');
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'POST' && url.pathname === '/todos') {
        const todo = { id: `t${todos.length + 1}`, title: JSON.parse(raw).title, done: false };
        todos.push(todo);
        return send(201, todo);
      }
      const complete = /^\/todos\/(.+)\/complete$/.exec(url.pathname);
      if (complete) {
        const todo = todos.find((t) => t.id === complete[1]);
        if (!todo) return send(404, { message: 'no such todo' });
        todo.done = true;
        return send(200, todo);
      }
      if (url.pathname === '/todos') {
        const start = Number(url.searchParams.get('start') ?? 0);
        const size = Number(url.searchParams.get('page_size') ?? 10);
        return send(200, { todos: todos.slice(start, start + size), total: todos.length });
      }
      if (url.pathname === '/exports') {
        jobs.set(`job-${jobs.size + 1}`, 0);
        return send(202, { job: `job-${jobs.size}` });
      }
      const job = /^\/jobs\/(.+)$/.exec(url.pathname);
      if (job) {
        const polls = (jobs.get(job[1]) ?? 0) + 1;
        jobs.set(job[1], polls);
        return send(
          200,
          polls < 3 ? { state: 'running' } : { state: 'done', url: `http://x/exports/${job[1]}.csv` },
        );
      }
      if (url.pathname === '/changes') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const todo of todos) res.write(`data: ${JSON.stringify({ kind: 'created', todo })}\n\n`);
        return res.end('event: end\ndata: {}\n\n');
      }
      send(404, { message: 'not found' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    auth,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const instantClock: Clock = {
  now: () => Date.now(),
  sleep: async () => {},
  after: () => () => {},
  every: () => () => {},
};

describe('the todo plugin on the same kernel', () => {
  // Each test owns a fresh server and client: todo ids, totals and job ids are numbered per server, so a
  // shared one would make them depend on which test ran first.
  let server: Awaited<ReturnType<typeof todoServer>>;
  let client: TodoClient;
  beforeEach(async () => {
    server = await todoServer();
    client = new TodoClient({
      baseUrl: server.url,
      token: 'todo-token',
      configure: (k) => k.register(Ports.Clock, instantClock),
    });
  });
  afterEach(async () => {
    await client.close();
    await server.close();
  });

  it('creates and completes todos with typed results and bearer auth', async () => {
    const todo = await client.create('write the plugin guide');
    expect(todo).toEqual({ id: 't1', title: 'write the plugin guide', done: false });
    expect((await client.complete(todo.id)).done).toBe(true);
    expect(server.auth.at(-1)).toBe('Bearer todo-token');
    await expect(client.create('')).rejects.toBeInstanceOf(ValidationError);
  });

  it('pages through every todo exactly once', async () => {
    for (let i = 0; i < 25; i++) await client.create(`todo ${i}`);
    const all = await client.all(5).toArray();
    expect(all.map((t) => t.id)).toEqual(Array.from({ length: 25 }, (_, i) => `t${i + 1}`));
  });

  it('runs an export as a future, polling until done', async () => {
    const future = client.export('csv');
    expect(await future.accepted).toBe('job-1');
    await expect(future).resolves.toEqual({ url: 'http://x/exports/job-1.csv' });
  });

  it('streams the change feed until the end event', async () => {
    for (const title of ['one', 'two', 'three']) await client.create(title);
    const kinds: string[] = [];
    for await (const change of client.changes()) kinds.push(`${change.kind}:${change.todo.id}`);
    expect(kinds).toEqual(['created:t1', 'created:t2', 'created:t3']);
  });
});
