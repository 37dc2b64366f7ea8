import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Ports, ValidationError, type Clock } from 'pristine-kernel';
import { TodoClient } from '../src/index.js';
import { todoServer } from './support/todo-server.js';

const instantClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
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
    server = await todoServer({ runningPolls: 2 });
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
    await expect(future).resolves.toEqual({ url: 'http://x/job-1.csv' });
  });

  it('streams the change feed until the end event', async () => {
    for (const title of ['one', 'two', 'three']) await client.create(title);
    const kinds: string[] = [];
    for await (const change of client.changes()) kinds.push(`${change.kind}:${change.todo.id}`);
    expect(kinds).toEqual(['created:t1', 'created:t2', 'created:t3']);
  });
});
