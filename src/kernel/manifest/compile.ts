import type { TSchema } from '@sinclair/typebox';
import type { CodecRegistry } from '../../ports/body-codec.js';
import type { CompiledValidator, Serializer } from '../../ports/serializer.js';
import type { HttpMethod } from '../../ports/transport.js';
import { closestName } from '../options/closest-name.js';
import { ManifestError } from './manifest-error.js';
import { parsePathTemplate, pathShapeProblem, type PathTemplate } from './path-template.js';
import type { EndpointSpec, ManifestSpec, StreamSpec } from './types.js';
import { checkParams, inputProperties } from './check-params.js';
import { checkEncoding } from './check-encoding.js';

/** An endpoint ready to run: validators compiled once, path template parsed. */
export interface CompiledEndpoint {
  readonly spec: EndpointSpec;
  readonly id: string;
  readonly method: HttpMethod;
  readonly template: PathTemplate;
  readonly queryKeys: readonly string[];
  readonly headerKeys: Readonly<Record<string, string>>;
  readonly multiSegment: ReadonlySet<string>;
  /** Input keys that are not path/query/header params: these form the JSON body. */
  readonly isBodyKey: (key: string) => boolean;
  /** No path/query/header params: the input is the body as it is, with no per-call copy. */
  readonly inputIsBody: boolean;
  /**
   * Every input key is a path/query/header param (and there is at least one): the request has no body
   * at all. An endpoint with an empty input object still sends `{}`.
   */
  readonly bodiless: boolean;
  readonly validateInput?: CompiledValidator;
  readonly validateResponse?: CompiledValidator;
  readonly validateEvent?: CompiledValidator;
  /** A future endpoint's final value, checked before `await future` resolves. */
  readonly validateResult?: CompiledValidator;
  readonly stream?: StreamSpec;
  readonly idempotent: boolean;
}

/** An endpoint id or pool name. */
const IDENTIFIER = /^[A-Za-z][\w.-]*$/;
const METHODS: ReadonlySet<string> = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
const ENDPOINT_KEYS: ReadonlySet<string> = new Set([
  'id', 'callName', 'method', 'path', 'description', 'input', 'response', 'query', 'headers', 'multiSegment',
  'idempotent', 'retry', 'timeoutMs', 'auth', 'resource', 'pool', 'stream', 'future', 'redirect', 'bodyType',
  'responseType', 'compress', 'pagination', 'weight', 'crossOriginCredentials', 'requestBody',
  'responseBodies', 'result', 'decompress',
]); // prettier-ignore
const BODY_KEYS: ReadonlySet<string> = new Set(['contentType', 'schema']);
const COMPRESS_KEYS: ReadonlySet<string> = new Set(['encoding', 'minBytes']);
const MEDIA_TYPE = /^[\w.+-]+\/[\w.+-]+$/;
const STREAM_KEYS: ReadonlySet<string> = new Set([
  'terminator',
  'doneEvent',
  'errorEvent',
  'resume',
  'idleTimeoutMs',
  'event',
]);
const PAGINATION_KEYS = {
  offset: new Set(['style', 'offsetParam', 'limitParam', 'items', 'total']),
  cursor: new Set(['style', 'cursorParam', 'nextCursor', 'items', 'limitParam', 'hasMore']),
} as const;
const MANIFEST_KEYS: ReadonlySet<string> = new Set(['name', 'version', 'endpoints']);

/** Names a plugin declares, which endpoints may reference. */
export interface DeclaredNames {
  retryPolicies: ReadonlySet<string>;
  authSchemes: ReadonlySet<string>;
  pollProtocols: ReadonlySet<string>;
  weights: ReadonlySet<string>;
  /** Non-JSON body codecs, to check `requestBody` / `responseBodies` (unchecked when absent). */
  codecs?: CodecRegistry;
  /** The encodings the bound Compression adapter writes, to check `compress` (unchecked when absent). */
  encodings?: readonly string[];
}

/**
 * Validate a manifest strictly and compile it. Every problem names the endpoint and the field, so a
 * plugin author finds a typo at registration instead of at the first call.
 */
export function compileManifest(
  manifest: ManifestSpec,
  serializer: Serializer,
  names: DeclaredNames,
): CompiledEndpoint[] {
  const subject = `manifest "${manifest?.name ?? '?'}"`;
  // From JavaScript, `manifest: loadManifest(file)` without `await` would read as a nameless manifest.
  if (typeof (manifest as { then?: unknown } | undefined)?.then === 'function')
    throw new ManifestError('plugin', 'manifest', 'is a Promise: await loadManifest(file) first');
  rejectUnknownKeys(subject, manifest as object, MANIFEST_KEYS);
  if (typeof manifest.name !== 'string' || !manifest.name)
    throw new ManifestError(subject, 'name', 'is required');
  if (!Array.isArray(manifest.endpoints)) throw new ManifestError(subject, 'endpoints', 'must be an array');
  const seen = new Set<string>();
  return manifest.endpoints.map((spec, index) => {
    const where = `${subject} endpoint "${spec?.id ?? `#${index}`}"`;
    checkEndpoint(where, spec, names);
    if (seen.has(spec.id)) throw new ManifestError(where, 'id', 'is declared twice');
    seen.add(spec.id);
    return compileEndpoint(where, spec, serializer);
  });
}

function rejectUnknownKeys(where: string, value: object, allowed: ReadonlySet<string>): void {
  if (typeof value !== 'object' || value === null)
    throw new ManifestError(where, 'value', 'must be an object');
  for (const key of Object.keys(value)) {
    if (allowed.has(key)) continue;
    const hint = closestName(key, allowed);
    throw new ManifestError(where, key, `is not a known key${hint ? ` (did you mean "${hint}"?)` : ''}`);
  }
}

function checkEndpoint(where: string, spec: EndpointSpec, names: DeclaredNames): void {
  rejectUnknownKeys(where, spec, ENDPOINT_KEYS);
  if (typeof spec.id !== 'string' || !IDENTIFIER.test(spec.id)) {
    throw new ManifestError(where, 'id', 'must be a non-empty identifier');
  }
  if (spec.callName !== undefined && (typeof spec.callName !== 'string' || !IDENTIFIER.test(spec.callName))) {
    throw new ManifestError(where, 'callName', 'must be a non-empty identifier');
  }
  if (!METHODS.has(spec.method))
    throw new ManifestError(where, 'method', `"${spec.method}" is not an HTTP method`);
  if (typeof spec.path !== 'string' || !spec.path.startsWith('/')) {
    throw new ManifestError(where, 'path', 'must start with "/"');
  }
  const pathProblem = pathShapeProblem(spec.path);
  if (pathProblem) throw new ManifestError(where, 'path', pathProblem);
  const template = parsePathTemplate(spec.path);
  checkParams(where, spec, template);
  if (spec.description !== undefined && typeof spec.description !== 'string')
    throw new ManifestError(where, 'description', 'must be a string');
  if (spec.idempotent !== undefined && typeof spec.idempotent !== 'boolean')
    throw new ManifestError(where, 'idempotent', 'must be a boolean');
  if (spec.resource !== undefined && (typeof spec.resource !== 'string' || !spec.resource))
    throw new ManifestError(where, 'resource', 'must be a non-empty string');
  checkReference(where, 'retry', spec.retry, names.retryPolicies);
  if (spec.auth !== false) checkReference(where, 'auth', spec.auth, names.authSchemes);
  checkReference(where, 'future', spec.future, names.pollProtocols);
  checkReference(where, 'weight', spec.weight, names.weights);
  if (spec.pool !== undefined && (typeof spec.pool !== 'string' || !IDENTIFIER.test(spec.pool))) {
    throw new ManifestError(where, 'pool', 'must be a non-empty identifier');
  }
  if (spec.timeoutMs !== undefined && !(Number.isFinite(spec.timeoutMs) && spec.timeoutMs > 0)) {
    throw new ManifestError(where, 'timeoutMs', 'must be a positive number');
  }
  if (spec.crossOriginCredentials !== undefined && typeof spec.crossOriginCredentials !== 'boolean') {
    throw new ManifestError(where, 'crossOriginCredentials', 'must be a boolean');
  }
  if (spec.redirect !== undefined && spec.redirect !== 'manual' && spec.redirect !== 'follow') {
    throw new ManifestError(where, 'redirect', 'must be "manual" or "follow"');
  }
  if (spec.bodyType !== undefined && !['json', 'multipart', 'raw'].includes(spec.bodyType)) {
    throw new ManifestError(where, 'bodyType', 'must be "json", "multipart" or "raw"');
  }
  if (spec.responseType !== undefined && !['json', 'text', 'bytes', 'stream'].includes(spec.responseType)) {
    throw new ManifestError(where, 'responseType', 'must be "json", "text", "bytes" or "stream"');
  }
  if (spec.decompress !== undefined && spec.decompress !== false) {
    throw new ManifestError(where, 'decompress', 'must be false when given (decoding is the default)');
  }
  if (typeof spec.stream === 'object') rejectUnknownKeys(`${where} stream`, spec.stream, STREAM_KEYS);
  if (spec.stream && spec.future) throw new ManifestError(where, 'stream', 'cannot be combined with future');
  if (spec.pagination) checkPagination(where, spec.pagination, inputProperties(spec.input));
  if (spec.result !== undefined && !spec.future) {
    throw new ManifestError(where, 'result', 'is only for future endpoints (declare `future`)');
  }
  checkBodies(where, spec, names.codecs);
  checkEncoding(where, spec, names.encodings);
}

function checkBodies(where: string, spec: EndpointSpec, codecs: CodecRegistry | undefined): void {
  if (typeof spec.compress === 'object' && spec.compress !== null) {
    rejectUnknownKeys(`${where} compress`, spec.compress, COMPRESS_KEYS);
    if (typeof spec.compress.encoding !== 'string' || !spec.compress.encoding)
      throw new ManifestError(where, 'compress.encoding', 'must be a non-empty string');
    const min = spec.compress.minBytes;
    if (min !== undefined && !(Number.isInteger(min) && min >= 0))
      throw new ManifestError(where, 'compress.minBytes', 'must be an integer ≥ 0');
  } else if (spec.compress !== undefined && typeof spec.compress !== 'boolean') {
    throw new ManifestError(where, 'compress', 'must be a boolean or { encoding, minBytes }');
  }
  const bodies: [string, string, unknown][] = [];
  if (spec.requestBody !== undefined) {
    rejectUnknownKeys(`${where} requestBody`, spec.requestBody, BODY_KEYS);
    if ((spec.bodyType ?? 'json') !== 'json')
      throw new ManifestError(where, 'requestBody', `cannot be combined with bodyType "${spec.bodyType}"`);
    bodies.push(['requestBody', spec.requestBody.contentType, spec.requestBody.schema]);
  }
  if (spec.responseBodies !== undefined) {
    if (typeof spec.responseBodies !== 'object' || spec.responseBodies === null)
      throw new ManifestError(where, 'responseBodies', 'must be an object of media type → schema');
    for (const [type, schema] of Object.entries(spec.responseBodies))
      bodies.push([`responseBodies "${type}"`, type, schema]);
  }
  for (const [field, type, schema] of bodies) {
    if (typeof type !== 'string' || !MEDIA_TYPE.test(type) || type !== type.toLowerCase())
      throw new ManifestError(where, field, `"${String(type)}" is not a lower-case media type`);
    if (!codecs) continue;
    const codec = codecs.lookup(type);
    if (!codec) throw new ManifestError(where, field, `no codec is registered for "${type}"`);
    const problem = codec.checkSchema?.(schema);
    if (problem) throw new ManifestError(where, field, `schema ${problem}`);
  }
}

function checkPagination(
  where: string,
  p: NonNullable<EndpointSpec['pagination']>,
  properties: Set<string> | undefined,
): void {
  const params = p.style === 'offset' ? [p.offsetParam, p.limitParam] : [p.cursorParam, p.limitParam];
  for (const param of params) {
    if (param !== undefined && !properties?.has(param)) {
      throw new ManifestError(where, `pagination "${param}"`, 'is not an input property');
    }
  }
  if (p.style !== 'offset' && p.style !== 'cursor') {
    throw new ManifestError(where, 'pagination.style', 'must be "offset" or "cursor"');
  }
  rejectUnknownKeys(`${where} pagination`, p, PAGINATION_KEYS[p.style]);
  const keys = p.style === 'offset' ? [p.items, p.total] : [p.items, p.nextCursor, p.hasMore];
  const required = p.style === 'offset' ? ['items'] : ['items', 'nextCursor'];
  for (const name of required) {
    if (typeof (p as unknown as Record<string, unknown>)[name] !== 'string') {
      throw new ManifestError(where, `pagination.${name}`, 'must be a response key (a string)');
    }
  }
  if (keys.some((key) => key !== undefined && (typeof key !== 'string' || key === ''))) {
    throw new ManifestError(where, 'pagination', 'response keys must be non-empty strings');
  }
}

/** What each reference names, for its error message. */
const REFERENCE_KINDS: Record<string, string> = {
  retry: 'retry policy',
  auth: 'auth scheme',
  future: 'poll protocol',
  weight: 'weight function',
};

function checkReference(where: string, field: string, name: unknown, declared: ReadonlySet<string>): void {
  if (name === undefined) return;
  if (typeof name !== 'string') {
    const type = name === null ? 'null' : Array.isArray(name) ? 'array' : typeof name;
    const got = type === 'null' ? 'null' : `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
    throw new ManifestError(
      where,
      field,
      `must name a ${REFERENCE_KINDS[field]} the plugin declares (a string), got ${got}`,
    );
  }
  if (!declared.has(name)) {
    throw new ManifestError(where, field, `references "${String(name)}", which the plugin does not declare`);
  }
}

function compileEndpoint(where: string, spec: EndpointSpec, serializer: Serializer): CompiledEndpoint {
  const template = parsePathTemplate(spec.path);
  const nonBody = new Set<string>([
    ...template.params,
    ...(spec.query ?? []),
    ...Object.keys(spec.headers ?? {}),
  ]);
  const stream = spec.stream === true ? {} : spec.stream || undefined;
  // Validators compile on first use: code generation for every schema of a large manifest costs
  // tens of MB and most programs call a few endpoints. Schemas are still checked here, at registration.
  const compile = (
    schema: TSchema | undefined,
    field: string,
    allowUnknown: boolean,
  ): CompiledValidator | undefined => {
    if (!schema) return undefined;
    const problem = serializer.checkSchema?.(schema);
    if (problem) throw new ManifestError(where, field, `is not a valid JSON schema: ${problem}`);
    let validator: CompiledValidator | undefined;
    return (value) => {
      if (!validator) {
        try {
          validator = serializer.compile(schema, { allowUnknown });
        } catch (error) {
          throw new ManifestError(where, field, `is not a valid JSON schema: ${(error as Error).message}`);
        }
      }
      return validator(value);
    };
  };
  return {
    spec,
    id: spec.id,
    method: spec.method,
    template,
    queryKeys: spec.query ?? [],
    headerKeys: spec.headers ?? {},
    multiSegment: new Set(spec.multiSegment ?? []),
    isBodyKey: (key) => !nonBody.has(key),
    inputIsBody: nonBody.size === 0,
    bodiless:
      spec.requestBody === undefined &&
      (spec.bodyType ?? 'json') === 'json' &&
      nonBody.size > 0 &&
      [...(inputProperties(spec.input) ?? [])].every((key) => nonBody.has(key)),
    validateInput: compile(spec.input, 'input', false),
    // Unknown response fields are kept, never rejected: servers add fields over time.
    validateResponse: compile(spec.response, 'response', true),
    validateEvent: compile(stream?.event, 'stream.event', true),
    validateResult: compile(spec.result, 'result', true),
    stream,
    idempotent: spec.idempotent ?? ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'].includes(spec.method),
  };
}
