import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { credentialProblem } from './auth.js';
import type { EmulatorContext } from './context.js';
import {
  HttpError,
  readBody,
  sendBytes,
  sendJson,
  sendText,
  TEXT_BODY_MAX_BYTES,
  type Answer,
} from './http-util.js';
import { decodeBody } from './request-body.js';
import { chooseCoding, compressResponse, type ResponseCoding } from './response-compression.js';
import { MAX_DECOMPRESSED_BYTES } from './protocol/zstd.js';
import { match } from './router.js';
import { requestTarget } from './request-target.js';
import { rejectSequenced } from './routes/sequenced.js';
import { REQUEST_SCHEMAS } from './schemas.js';
import { validate } from './validation.js';
import type { LoggedRequest } from './state.js';

/** Raw request bodies above this are refused (413), as decompressed ones are: memory stays bounded. */
const MAX_BODY_BYTES = MAX_DECOMPRESSED_BYTES;

/** Endpoint classes that stop with 402 while the account's billing is paused. */
const BILLED = new Set(['training', 'sampling', 'futures']);

/**
 * The HTTP face of the emulator: body decoding, auth, strict validation, chaos, routing and the request log;
 * with `codings`, answers compressed by the request's `Accept-Encoding` (as a proxy in front would).
 */
export function createServer(ctx: EmulatorContext, codings?: readonly ResponseCoding[]): http.Server {
  const server = http.createServer((req, res) => {
    const coding = codings && chooseCoding(req.headers['accept-encoding'], codings);
    if (coding) compressResponse(req, res, coding);
    handle(ctx, req, res).catch((error) => {
      if (!res.headersSent) sendJson(res, 500, { detail: `emulator error: ${(error as Error).message}` });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  return server;
}

/** Node's server always sets it (the type is optional for the client's side): GET as a bare HTTP/0.9 line. */
function methodOf(req: IncomingMessage): string {
  return req.method ?? 'GET';
}

/**
 * The request log's entry. Its `body` is built when first read (and kept): a protobuf body's decoded form
 * costs a second copy of its values. A module function, so that the getter holds only `logged`, not the
 * request and response objects of `handle`.
 */
function logEntry(
  req: IncomingMessage,
  path: string,
  status: number,
  bodyBytes: number,
  responseType: string | undefined,
  at: number,
  logged: (() => unknown) | undefined,
): LoggedRequest {
  let body: unknown;
  let read = false;
  return {
    method: methodOf(req),
    path,
    status,
    headers: req.headers,
    get body() {
      if (!read) {
        body = logged?.();
        read = true;
      }
      return body;
    },
    content_type: req.headers['content-type'],
    content_encoding: req.headers['content-encoding'],
    body_bytes: bodyBytes,
    response_content_type: responseType,
    at,
  };
}

async function handle(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const target = requestTarget(req.url ?? '/');
  const path = target.path;
  const raw = await readBody(req, MAX_BODY_BYTES).catch((error: unknown) => error as HttpError);
  if (raw instanceof HttpError) {
    // Refused while (or before) reading: close the connection rather than read the rest.
    ctx.state.log(logEntry(req, target.logged, raw.status, 0, 'application/json', ctx.now(), undefined), 0);
    sendJson(res, raw.status, { detail: raw.detail }, { connection: 'close' });
    return;
  }
  let logged: (() => unknown) | undefined;
  let loggedSize = raw.length;
  const log = (status: number, responseType?: string) =>
    ctx.state.log(
      logEntry(req, target.logged, status, raw.length, responseType, ctx.now(), logged),
      loggedSize,
    );
  const reply = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
    log(status, 'application/json');
    sendJson(res, status, payload, headers);
  };

  // A URL parser's error thrown later would be a 500, which clients retry: the request can never succeed.
  if (target.malformed) return reply(400, { detail: 'the request target is not a valid path' });
  const found = match(methodOf(req), path);
  // Routes of the 0.18–0.25 clients do not exist on a legacy server.
  if ('status' in found && found.status === 405)
    return reply(405, { detail: 'method not allowed' }, { allow: found.allow });
  if ('status' in found || (found.route.modern && ctx.protocol.legacyJson))
    return reply(404, { detail: 'not found' });
  const { route, params } = found;

  if (route.auth !== false) {
    const problem = await credentialProblem(req.headers['x-api-key'], ctx.protocol.jwt);
    if (problem) return reply(401, { detail: problem });
  }

  let body: unknown;
  let protobuf = false;
  // A refused training submission still consumed its seq_id: later ones must not wait for it.
  const refuse = (status: number, payload: unknown, request = body) => {
    if (route.submits && route.endpointClass === 'training' && status < 500)
      rejectSequenced(ctx, request as Record<string, unknown> | undefined);
    reply(status, payload);
  };
  try {
    const decoded = decodeBody(raw, req.headers, route.protobuf, ctx.protocol.legacyJson);
    body = decoded.body;
    logged = decoded.logged;
    loggedSize = decoded.size;
    protobuf = decoded.protobuf;
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    const payload = { detail: error.detail, ...(error.field ? { field: error.field } : {}) };
    return refuse(error.status, payload, error.request);
  }
  // Protobuf bodies were checked by their decoder (the schema is the JSON form).
  if (route.schema && !protobuf) {
    const problem = validate(body ?? {}, REQUEST_SCHEMAS[route.schema]);
    if (problem) return refuse(400, { detail: `${problem.field} ${problem.problem}`, field: problem.field });
  }

  // Faults before acceptance: the work is not done, so a retry simply does it.
  const chaos = ctx.chaos;
  const delay = chaos.latency(route.endpointClass);
  // On the emulator's clock; `close()` ends the wait, and then the route must not run on a closed emulator.
  if (delay > 0 && !(await ctx.protocol.timers.sleep(delay))) {
    (req.socket as Socket).destroy();
    return;
  }
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
  if (
    (ctx.protocol.billingPaused && BILLED.has(route.endpointClass)) ||
    chaos.roll(route.endpointClass, 'paymentRequired')
  )
    return reply(402, {
      detail: 'billing: payment required; work resumes once the account is in good standing',
    });
  if (chaos.roll(route.endpointClass, 'requestTimeout'))
    return reply(408, {
      queue_state: 'paused_capacity',
      queue_state_reason: 'request timed out in the queue (chaos)',
    });
  // Refused as FastAPI refuses a body before the handler: a training submission's seq_id is spent.
  if (chaos.roll(route.endpointClass, 'validation422'))
    return refuse(422, {
      detail: [
        { type: 'value_error', loc: ['body'], msg: 'Value error, request refused by validation (chaos)' },
      ],
    });
  if (chaos.roll(route.endpointClass, 'bare400')) {
    log(400);
    res.writeHead(400, { 'content-length': 0 });
    res.end();
    return;
  }

  let answer: Answer;
  try {
    answer = await route.handle(ctx, body ?? {}, params, target.query, req.headers);
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    return refuse(error.status, { detail: error.detail, ...(error.field ? { field: error.field } : {}) });
  }

  if ('raw' in answer) {
    log(200);
    answer.raw(res);
    return;
  }
  // Faults after acceptance: the work was applied; the client's retry must be deduplicated.
  if (route.submits && chaos.roll(route.endpointClass, 'lost'))
    return reply(502, { detail: 'response lost (chaos)' });
  // JSON and small binary answers leave through one `log` and one `sendText` below: a 0.25 fan-out answers
  // its `asample`s with JSON and its polls with protobuf, and two send paths (a `reply` and a binary one)
  // made a fresh emulator compile both for the one burst (docs/performance-notes.md, round 18 notes, `fan18`).
  let contentType: string;
  let text: string;
  let encoding: 'utf8' | 'latin1';
  let headers: Record<string, string>;
  if ('bytes' in answer) {
    contentType = answer.contentType;
    if (chaos.roll(route.endpointClass, 'truncate')) {
      log(answer.status, contentType);
      return truncated(res, answer.status, contentType, answer.bytes);
    }
    if (answer.bytes.length > TEXT_BODY_MAX_BYTES) {
      log(answer.status, contentType);
      return sendBytes(res, answer.status, contentType, answer.bytes);
    }
    text = answer.bytes.toString('latin1');
    encoding = 'latin1';
    headers = NO_HEADERS;
  } else {
    if (chaos.roll(route.endpointClass, 'truncate') && answer.body !== undefined) {
      log(answer.status, 'application/json');
      truncated(res, answer.status, 'application/json', Buffer.from(JSON.stringify(answer.body)));
      return;
    }
    if (answer.status === 204 || answer.body === undefined) {
      log(answer.status);
      res.writeHead(answer.status, answer.headers ?? {});
      res.end();
      return;
    }
    contentType = 'application/json';
    text = answer.text ?? JSON.stringify(answer.body);
    encoding = 'utf8';
    headers = answer.headers ?? NO_HEADERS;
  }
  log(answer.status, contentType);
  sendText(res, answer.status, contentType, text, encoding, headers);
}

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/** Headers promise more bytes than are sent, then the connection closes (chaos `truncate`). */
function truncated(res: ServerResponse, status: number, contentType: string, bytes: Buffer): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': bytes.length + 16 });
  res.end(bytes.subarray(0, Math.floor(bytes.length / 2)));
  res.socket?.destroy();
}
