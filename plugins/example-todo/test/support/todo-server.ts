import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TodoServerOptions {
  /** Answer 401 to any other `authorization` header. Default: accept any. */
  token?: string;
  /** Polls of an export job that answer `running` before it is `done`. Default 1. */
  runningPolls?: number;
}

/**
 * The made-up todo API on 127.0.0.1:0, for `plugins/example-todo` and the plugin guide's snippets
 * (test/docs). `GET /todos` pages by offset (`start`, `page_size` → `{ todos, total }`, the example
 * plugin's manifest) or, without those, by cursor (`after`, `limit` → `{ data, last_id, has_more }`, the
 * guide's). Each export is a job (`job-1`, `job-2`, …). It records each request line and `authorization`.
 */
export async function todoServer(options: TodoServerOptions = {}) {
  const todos: { id: string; title: string; done: boolean }[] = [];
  const polls = new Map<string, number>();
  const seen: string[] = [];
  const auth: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString();
      const url = new URL(req.url!, 'http://x');
      seen.push(`${req.method} ${req.url}`);
      auth.push(String(req.headers.authorization));
      const send = (status: number, body: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`)
        return send(401, { message: 'bad token' });
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
      const attach = /^\/todos\/(.+)\/attachments$/.exec(url.pathname);
      if (attach) {
        // Any other file: its part's content, counted (the guide's progress snippet sends 1 MiB of text).
        const part = /filename="(?!receipt\.txt")[^"]+"[\s\S]*?\r\n\r\n([\s\S]*?)\r\n--/.exec(raw);
        if (part) return send(201, { id: 'a2', bytes: Buffer.byteLength(part[1]!) });
        const ok = /filename="receipt.txt"[\s\S]*\r\n\r\nreceipt\r\n/.test(raw);
        return ok ? send(201, { id: 'a1', bytes: 'receipt'.length }) : send(400, { message: raw });
      }
      if (url.pathname === '/todos' && (url.searchParams.has('start') || url.searchParams.has('page_size'))) {
        const start = Number(url.searchParams.get('start') ?? 0);
        const size = Number(url.searchParams.get('page_size') ?? 10);
        return send(200, { todos: todos.slice(start, start + size), total: todos.length });
      }
      if (url.pathname === '/todos') {
        const after = url.searchParams.get('after');
        const start = after ? todos.findIndex((t) => t.id === after) + 1 : 0;
        const data = todos.slice(start, start + Number(url.searchParams.get('limit') ?? 20));
        const has_more = start + data.length < todos.length;
        return send(200, { data, last_id: data.at(-1)?.id ?? null, has_more });
      }
      if (url.pathname === '/exports') {
        const job = `job-${polls.size + 1}`;
        polls.set(job, 0);
        return send(202, { job });
      }
      const job = /^\/jobs\/(.+)$/.exec(url.pathname);
      if (job) {
        const n = (polls.get(job[1]) ?? 0) + 1;
        polls.set(job[1], n);
        const running = n <= (options.runningPolls ?? 1);
        return send(200, running ? { state: 'running' } : { state: 'done', url: `http://x/${job[1]}.csv` });
      }
      if (url.pathname === '/changes') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const todo of todos) res.write(`data: ${JSON.stringify({ kind: 'created', todo })}\n\n`);
        return res.end('event: end\ndata: {}\n\n');
      }
      send(404, { message: 'not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    auth,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
