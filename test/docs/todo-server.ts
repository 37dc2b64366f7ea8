import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** The todo API the plugin guide's snippets talk to, on 127.0.0.1:0; it records each request line. */
export async function guideTodoServer() {
  const todos: { id: string; title: string; done: boolean }[] = [];
  const polls = new Map<string, number>();
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString();
      const url = new URL(req.url!, 'http://x');
      seen.push(`${req.method} ${req.url}`);
      const send = (status: number, body: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.headers.authorization !== 'Bearer guide-token') return send(401, { message: 'bad token' });
      if (req.method === 'POST' && url.pathname === '/todos') {
        const todo = { id: `t${todos.length + 1}`, title: JSON.parse(raw).title, done: false };
        todos.push(todo);
        return send(201, todo);
      }
      const complete = /^\/todos\/(.+)\/complete$/.exec(url.pathname);
      if (complete) {
        const todo = todos.find((t) => t.id === complete[1])!;
        todo.done = true;
        return send(200, todo);
      }
      const attach = /^\/todos\/(.+)\/attachments$/.exec(url.pathname);
      if (attach) {
        const ok = /filename="receipt.txt"[\s\S]*\r\n\r\nreceipt\r\n/.test(raw);
        return ok ? send(201, { id: 'a1', bytes: 'receipt'.length }) : send(400, { message: raw });
      }
      if (url.pathname === '/todos') {
        const after = url.searchParams.get('after');
        const start = after ? todos.findIndex((t) => t.id === after) + 1 : 0;
        const data = todos.slice(start, start + Number(url.searchParams.get('limit') ?? 20));
        const has_more = start + data.length < todos.length;
        return send(200, { data, last_id: data.at(-1)?.id ?? null, has_more });
      }
      if (url.pathname === '/exports') return send(202, { job: 'job-1' });
      const job = /^\/jobs\/(.+)$/.exec(url.pathname);
      if (job) {
        const n = (polls.get(job[1]) ?? 0) + 1;
        polls.set(job[1], n);
        return send(200, n < 2 ? { state: 'running' } : { state: 'done', url: `http://x/${job[1]}.csv` });
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
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
