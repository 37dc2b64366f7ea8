import { createServer } from 'node:http';

export const TRACE = Buffer.from('perfetto-trace-bytes\u0000\u0001\u0002');
export const USAGE = {
  data: [
    {
      bucket_start: '2026-07-13T00:00:00Z',
      bucket_end: '2026-07-13T01:00:00Z',
      base_model: 'meta-llama/Llama-3.2-1B',
      session_id: 'sess-1',
      project_id: null,
      event_info: { type: 'training_tokens', tokens: 1200 },
    },
    {
      bucket_start: '2026-07-13T01:00:00Z',
      bucket_end: '2026-07-13T02:00:00Z',
      base_model: 'meta-llama/Llama-3.2-1B',
      session_id: 'sess-1',
      project_id: 'p, "quoted"',
      event_info: { type: 'storage', gigabyte_hours: 0.5 },
    },
    {
      bucket_start: '2026-07-13T01:00:00Z',
      bucket_end: '2026-07-13T02:00:00Z',
      base_model: 'meta-llama/Llama-3.2-1B',
      user_id: 'u-1',
      user_name: 'Ada',
      session_id: 'sess-1',
      project_id: null,
      event_info: { type: 'sampling_prefill', cached: false, token_count: 9 },
    },
  ],
  sessions: { 'sess-1': { user_metadata: { team: 'a' } } },
};
/** The answer for a window starting in 2020: no usage at all. */
export const NO_USAGE = { data: [], sessions: {} };

/**
 * The 0.24 account endpoints that the emulator does not serve, answered on loopback as the Tinker API
 * does: `GET /sessions/{id}/trace_export` (`pending` on the first poll of `sess-1`, then `ready` with a
 * signed URL on this server; `failed` for `sess-bad`; for `sess-hostile` a URL holding terminal
 * control sequences; for `sess-cut` a URL whose body breaks off after
 * a few bytes) and `GET /billing/usage/events` (none for a window starting in 2020).
 */
export async function startAccountApi() {
  const seen: string[] = [];
  const polls = new Map<string, number>();
  let base = '';
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    seen.push(`${req.method} ${url.pathname}${url.search}`);
    const json = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const trace = /^\/api\/v1\/sessions\/([^/]+)\/trace_export$/.exec(url.pathname);
    if (trace?.[1] === 'sess-bad') return json(200, { status: 'failed', error: 'too large' });
    if (trace?.[1] === 'sess-cut') return json(200, { status: 'ready', url: `${base}/signed/cut.pftrace` });
    if (trace?.[1] === 'sess-hostile')
      return json(200, {
        status: 'ready',
        url: `${base}/signed/t.pftrace?sig=\u001b[2J\u001b]0;owned\u0007\r`,
      });
    if (trace) {
      const n = (polls.get(trace[1]) ?? 0) + 1;
      polls.set(trace[1], n);
      return json(
        200,
        n === 1 ? { status: 'pending' } : { status: 'ready', url: `${base}/signed/t.pftrace?sig=1` },
      );
    }
    if (url.pathname === '/signed/t.pftrace')
      return res.writeHead(200, { 'content-length': TRACE.length }).end(TRACE);
    if (url.pathname === '/signed/cut.pftrace') {
      res.writeHead(200, { 'content-length': TRACE.length * 10 });
      res.write(TRACE, () => res.destroy());
      return;
    }
    if (url.pathname === '/api/v1/billing/usage/events')
      return json(200, url.searchParams.get('starting_on')?.startsWith('2020-') ? NO_USAGE : USAGE);
    json(404, { detail: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url: base,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
