import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { EmulatorContext } from './context.js';
import { HttpError, readBody, sendJson, type Answer } from './http-util.js';
import { match } from './router.js';
import { REQUEST_SCHEMAS } from './schemas.js';
import { validate } from './validation.js';

/** The HTTP face of the emulator: auth, strict validation, chaos, routing and the request log. */
export function createServer(ctx: EmulatorContext): http.Server {
  const server = http.createServer((req, res) => {
    handle(ctx, req, res).catch((error) => {
      if (!res.headersSent) sendJson(res, 500, { detail: `emulator error: ${(error as Error).message}` });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  return server;
}

async function handle(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const path = decodeURIComponent(url.pathname);
  const raw = await readBody(req);
  let body: unknown;
  const log = (status: number) =>
    ctx.state.log({
      method: req.method!,
      path: url.pathname + url.search,
      status,
      headers: req.headers,
      body,
      at: ctx.now(),
    });
  const reply = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
    log(status);
    sendJson(res, status, payload, headers);
  };

  const found = match(req.method ?? 'GET', path);
  if ('status' in found)
    return reply(found.status, { detail: found.status === 404 ? 'not found' : 'method not allowed' });
  const { route, params } = found;

  if (route.auth !== false) {
    const key = req.headers['x-api-key'];
    if (typeof key !== 'string' || !key.startsWith('tml-'))
      return reply(401, { detail: 'missing or invalid X-API-Key' });
  }

  if (raw.length > 0) {
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return reply(400, { detail: 'body is not valid JSON' });
    }
  }
  if (route.schema) {
    const problem = validate(body ?? {}, REQUEST_SCHEMAS[route.schema]);
    if (problem) return reply(400, { detail: `${problem.field} ${problem.problem}`, field: problem.field });
  }

  // Faults before acceptance: the work is not done, so a retry simply does it.
  const chaos = ctx.chaos;
  const delay = chaos.latency(route.endpointClass);
  if (delay > 0) await new Promise((r) => setTimeout(r, delay).unref());
  if (chaos.roll(route.endpointClass, 'reset')) {
    log(0);
    (req.socket as Socket).destroy();
    return;
  }
  if (chaos.roll(route.endpointClass, 'rateLimit'))
    return reply(429, { detail: 'rate limited (chaos)' }, { 'retry-after': '0' });
  if (chaos.roll(route.endpointClass, 'error5xx'))
    return reply(503, { detail: 'service unavailable (chaos)' });
  if (route.schema === 'session_heartbeat' && chaos.roll('sessions', 'heartbeat'))
    return reply(500, { detail: 'heartbeat failed (chaos)' });

  let answer: Answer;
  try {
    answer = route.handle(ctx, body ?? {}, params, url.searchParams);
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    return reply(error.status, { detail: error.detail, ...(error.field ? { field: error.field } : {}) });
  }

  if ('raw' in answer) {
    log(200);
    answer.raw(res);
    return;
  }
  // Faults after acceptance: the work was applied; the client's retry must be deduplicated.
  if (route.submits && chaos.roll(route.endpointClass, 'lost'))
    return reply(502, { detail: 'response lost (chaos)' });
  if (chaos.roll(route.endpointClass, 'truncate') && answer.body !== undefined) {
    log(answer.status);
    const text = JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text) + 16,
    });
    res.end(text.slice(0, Math.floor(text.length / 2)));
    res.socket?.destroy();
    return;
  }
  if (answer.status === 204 || answer.body === undefined) {
    log(answer.status);
    res.writeHead(answer.status, answer.headers ?? {});
    res.end();
    return;
  }
  reply(answer.status, answer.body, answer.headers);
}
