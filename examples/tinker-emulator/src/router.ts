import type { EndpointClass } from './chaos.js';
import type { EmulatorContext } from './context.js';
import type { IncomingHttpHeaders } from 'node:http';
import type { Answer } from './http-util.js';
import type { ProtobufDecoder } from './request-body.js';
import * as config from './routes/config.js';
import * as account from './routes/account.js';
import * as futures from './routes/futures.js';
import * as rest from './routes/rest.js';
import * as sampling from './routes/sampling.js';
import * as sessions from './routes/sessions.js';
import * as training from './routes/training.js';
import * as models from './routes/models.js';
import * as weights from './routes/weights.js';
import { decodeForwardBackwardRequest } from './protocol/fwdbwd-request.js';

type Params = string[];
type Handler = (
  ctx: EmulatorContext,
  body: any,
  params: Params,
  query: URLSearchParams,
  headers: IncomingHttpHeaders,
) => Answer | Promise<Answer>;

export interface Route {
  method: string;
  pattern: RegExp;
  /** Name of the request schema in schemas.ts, for JSON bodies. */
  schema?: string;
  endpointClass: EndpointClass;
  /** Accepts work that a retry must not apply twice (chaos `lost` applies). */
  submits?: boolean;
  auth?: false;
  /** Decodes `application/x-protobuf` bodies into the handler's JSON shape; JSON only without it. */
  protobuf?: ProtobufDecoder;
  /** Introduced with the 0.18–0.25 clients: absent (404) in `legacyJson` mode. */
  modern?: true;
  handle: Handler;
}

const post = (
  name: string,
  endpointClass: EndpointClass,
  handle: Handler,
  extra: Partial<Route> = {},
): Route => ({
  method: 'POST',
  pattern: new RegExp(`^/api/v1/${name}$`),
  schema: name,
  endpointClass,
  handle,
  ...extra,
});

// Path ids keep `:` raw (S:train:0) and checkpoint ids contain `/` (weights/NAME); both decoded.
const RUN = '([^/]+)';
const CKPT = '((?:weights|sampler_weights)/[^/]+)';

export const ROUTES: Route[] = [
  post('client/config', 'sessions', (c) => config.clientConfig(c), { modern: true }),
  post('client/dynamic_config', 'sessions', (c) => config.dynamicConfig(c), { modern: true }),
  post('auth/token', 'sessions', (c, _b, _p, _q, h) => config.authToken(c, h), { modern: true }),
  post('create_session', 'sessions', (c, b, _p, _q, h) => sessions.createSession(c, b, h)),
  post('session_heartbeat', 'sessions', (c, b) => sessions.heartbeat(c, b)),
  post('create_sampling_session', 'sessions', (c, b) => sampling.createSamplingSession(c, b)),
  post('telemetry', 'telemetry', (c, b) => sessions.telemetry(c, b)),
  {
    method: 'GET',
    pattern: /^\/api\/v1\/get_server_capabilities$/,
    endpointClass: 'rest',
    handle: () => sessions.capabilities(),
  },
  {
    method: 'GET',
    pattern: /^\/api\/v1\/healthz$/,
    endpointClass: 'rest',
    auth: false,
    handle: () => sessions.healthz(),
  },
  post('create_model', 'training', (c, b) => models.createModel(c, b), { submits: true }),
  post('get_info', 'training', (c, b) => models.getInfo(c, b)),
  post('unload_model', 'training', (c, b) => models.unloadModel(c, b), { submits: true }),
  post('forward', 'training', (c, b) => training.forward(c, b), { submits: true }),
  // JSON (0.7.0–0.24.1) or protobuf (0.25.0; `forward_only` makes it a forward pass).
  post('forward_backward', 'training', (c, b) => training.forwardBackward(c, b), {
    submits: true,
    protobuf: decodeForwardBackwardRequest,
  }),
  post('optim_step', 'training', (c, b) => training.optimStep(c, b), { submits: true }),
  post('save_weights', 'training', (c, b) => weights.saveWeights(c, b), { submits: true }),
  post('load_weights', 'training', (c, b, _p, _q, h) => weights.loadWeights(c, b, h), { submits: true }),
  post('save_weights_for_sampler', 'training', (c, b) => weights.saveWeightsForSampler(c, b), {
    submits: true,
  }),
  post('weights_info', 'rest', (c, b, _p, _q, h) => weights.weightsInfo(c, b, h)),
  post('asample', 'sampling', (c, b) => sampling.asample(c, b), { submits: true }),
  post('stream_sample', 'sampling', (c, b) => sampling.streamSample(c, b), { schema: 'asample' }),
  post('retrieve_future', 'futures', (c, b, _p, _q, h) => futures.retrieveFuture(c, b, h)),
  {
    method: 'GET',
    pattern: /^\/api\/v1\/training_runs$/,
    endpointClass: 'rest',
    handle: (c, _b, _p, q) => rest.listTrainingRuns(c, q),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/api/v1/training_runs/${RUN}$`),
    endpointClass: 'rest',
    handle: (c, _b, p) => rest.getTrainingRun(c, p[0]),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/_emulator/training_runs/${RUN}/corrupt$`),
    endpointClass: 'rest',
    handle: (c, b, p) => rest.setCorrupted(c, p[0], b),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/api/v1/training_runs/${RUN}/checkpoints$`),
    endpointClass: 'rest',
    handle: (c, _b, p) => rest.listCheckpoints(c, p[0]),
  },
  {
    method: 'DELETE',
    pattern: new RegExp(`^/api/v1/training_runs/${RUN}/checkpoints/${CKPT}$`),
    endpointClass: 'rest',
    handle: (c, _b, p, _q, h) => rest.deleteCheckpoint(c, p[0], p[1], h),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/api/v1/training_runs/${RUN}/checkpoints/${CKPT}/archive$`),
    endpointClass: 'rest',
    handle: (c, _b, p, _q, h) => rest.archiveUrl(c, p[0], p[1], h),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/api/v1/training_runs/${RUN}/checkpoints/${CKPT}/publish$`),
    endpointClass: 'rest',
    handle: (c, _b, p, _q, h) => rest.publish(c, p[0], p[1], true, h),
  },
  {
    method: 'DELETE',
    pattern: new RegExp(`^/api/v1/training_runs/${RUN}/checkpoints/${CKPT}/publish$`),
    endpointClass: 'rest',
    handle: (c, _b, p, _q, h) => rest.publish(c, p[0], p[1], false, h),
  },
  {
    method: 'PUT',
    pattern: new RegExp(`^/api/v1/training_runs/${RUN}/checkpoints/${CKPT}/ttl$`),
    schema: 'ttl',
    endpointClass: 'rest',
    handle: (c, b, p, _q, h) => rest.setTtl(c, p[0], p[1], b, h),
  },
  {
    method: 'GET',
    pattern: /^\/api\/v1\/checkpoints$/,
    endpointClass: 'rest',
    handle: (c, _b, _p, q) => rest.listUserCheckpoints(c, q),
  },
  {
    method: 'GET',
    pattern: /^\/api\/v1\/sessions$/,
    endpointClass: 'rest',
    handle: (c, _b, _p, q) => rest.listSessions(c, q),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/api/v1/sessions/${RUN}$`),
    endpointClass: 'rest',
    handle: (c, _b, p) => rest.getSession(c, p[0]),
  },
  {
    method: 'PUT',
    pattern: new RegExp(`^/api/v1/sessions/${RUN}/project$`),
    schema: 'project',
    endpointClass: 'rest',
    modern: true,
    handle: (c, b, p) => account.assignProject(c, p[0], b),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/api/v1/sessions/${RUN}/trace_export$`),
    endpointClass: 'rest',
    modern: true,
    handle: (c, _b, p) => account.traceExport(c, p[0], c.protocol.traceExportPendingPolls),
  },
  {
    method: 'GET',
    pattern: /^\/api\/v1\/audit$/,
    endpointClass: 'rest',
    modern: true,
    handle: (c, _b, _p, q) => account.auditLog(c, q),
  },
  {
    method: 'GET',
    pattern: /^\/api\/v1\/billing\/usage\/events$/,
    endpointClass: 'rest',
    modern: true,
    handle: (c, _b, _p, q) => account.billingUsage(c, q),
  },
  {
    method: 'GET',
    pattern: /^\/downloads\/traces\/([\w-]+)\.json$/,
    endpointClass: 'rest',
    auth: false,
    handle: (c, _b, p) => account.traceDownload(c, p[0]),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/api/v1/samplers/${RUN}$`),
    endpointClass: 'rest',
    handle: (c, _b, p) => rest.getSampler(c, p[0]),
  },
  {
    method: 'GET',
    pattern: /^\/downloads\/([\w-]+)\.tar$/,
    endpointClass: 'rest',
    auth: false,
    handle: (c, _b, p) => rest.download(c, p[0]),
  },
];

type Match =
  | { route: Route; params: Params }
  | { status: 404 }
  /** `allow`: the methods the path has, for the 405's `Allow` header (RFC 9110 §15.5.6). */
  | { status: 405; allow: string };

/** The one path a pattern matches when it is a fixed path (letters, digits, `_`, `-`, `/`), else undefined. */
function fixedPath(pattern: RegExp): string | undefined {
  return /^\^(?:[\w-]|\\\/)*\$$/.test(pattern.source) && !pattern.flags
    ? pattern.source.slice(1, -1).replaceAll('\\/', '/')
    : undefined;
}

const FIXED_PATHS = new Map(ROUTES.map((route) => [route, fixedPath(route.pattern)]));

/**
 * `match`'s answers for paths that are a route's fixed path, by method and path: at most one entry per
 * such route. A sampling run's two requests (asample, retrieve_future) then skip the scan of every
 * pattern listed before theirs.
 */
const fixedPathMatches = new Map<string, Match>();

/** Find the route for a method and a (decoded) path. */
export function match(method: string, path: string): Match {
  const key = `${method} ${path}`;
  const known = fixedPathMatches.get(key);
  if (known) return known;
  const found = scan(method, path);
  if ('route' in found && FIXED_PATHS.get(found.route) === path) fixedPathMatches.set(key, found);
  return found;
}

/** The first route whose pattern matches the path and whose method is the request's; else 405 or 404. */
export function scan(method: string, path: string): Match {
  const methods: string[] = [];
  for (const route of ROUTES) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    if (route.method === method) return { route, params: m.slice(1) };
    if (!methods.includes(route.method)) methods.push(route.method);
  }
  return methods.length > 0 ? { status: 405, allow: methods.join(', ') } : { status: 404 };
}
