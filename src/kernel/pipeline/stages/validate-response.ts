import { PristineError } from '../../errors/pristine-error.js';
import type { ValidationIssue } from '../../../ports/serializer.js';
import type { CallContext, CallResult, Stage } from '../context.js';
import { enteringStage } from '../stage-hooks.js';

/** How much of a body that is not JSON the message quotes. */
const EXCERPT_CHARS = 120;

/**
 * The server answered with a body that does not match the endpoint's response schema. A body that is
 * not JSON at all (a base URL that points at a web server or a proxy's error page) says so, with its
 * status, Content-Type and first characters, instead of "/: must be object".
 */
export class ResponseValidationError extends PristineError {
  /** The body was not JSON at all (text, HTML): the URL probably does not lead to the API. */
  readonly notJson: boolean;

  constructor(
    override readonly endpointId: string,
    readonly issues: readonly ValidationIssue[],
    body: unknown,
    answer?: { status: number; contentType: string | undefined },
  ) {
    const notJson =
      answer !== undefined &&
      typeof body === 'string' &&
      !isEmpty(body) &&
      !/json/i.test(answer.contentType ?? '');
    super(describe(endpointId, issues, body, answer, notJson), { body, category: 'server' });
    this.notJson = notJson;
  }
}

function describe(
  endpointId: string,
  issues: readonly ValidationIssue[],
  body: unknown,
  answer: { status: number; contentType: string | undefined } | undefined,
  notJson: boolean,
): string {
  // Nothing after the headers is not "/: must be object": the server sent no answer at all.
  if (answer && isEmpty(body))
    return `Response of "${endpointId}" was empty (HTTP ${answer.status}, no body) where ${expected(issues)} was expected`;
  // Only for a body that is not JSON: a JSON string where an object belongs is a schema mismatch.
  if (answer && notJson && typeof body === 'string') {
    const excerpt = body.length > EXCERPT_CHARS ? `${body.slice(0, EXCERPT_CHARS)}…` : body;
    const type = answer.contentType ?? 'none';
    return `Response of "${endpointId}" is not JSON (HTTP ${answer.status}, Content-Type: ${type}): ${JSON.stringify(excerpt)}`;
  }
  const lines = issues.map((i) => `  ${i.pointer || '/'}: ${i.message}`).join('\n');
  return `Response of "${endpointId}" does not match its schema:\n${lines}`;
}

/** A body of no bytes: the serializer decodes it as `undefined` (a text codec may keep `''`). */
function isEmpty(body: unknown): boolean {
  return body === undefined || body === '';
}

/** What the schema wanted at the root, from its `type` issue ("must be object"): "an object". */
function expected(issues: readonly ValidationIssue[]): string {
  const type = /^must be (\w+)$/.exec(
    issues.find((i) => !i.pointer && i.rule === 'type')?.message ?? '',
  )?.[1];
  if (!type) return 'a body';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** Validate decoded responses: `strict` throws, `warn` logs, `off` skips. Unknown fields are kept. */
export const validateResponseStage: Stage = enteringStage({
  name: 'response',
  passes: (context) =>
    context.services.settings.responseValidation === 'off' || !context.endpoint.validateResponse,
  enter: (context) =>
    context.services.settings.responseValidation !== 'off' && context.endpoint.validateResponse !== undefined,
  hooks: {
    fulfilled(context, result) {
      const mode = context.services.settings.responseValidation;
      const validate = context.endpoint.validateResponse;
      return mode === 'off' || validate === undefined ? result : checked(context, result, validate, mode);
    },
  },
});

function checked(
  context: CallContext,
  result: CallResult,
  validate: NonNullable<CallContext['endpoint']['validateResponse']>,
  mode: 'strict' | 'warn',
): CallResult {
  // Streams are validated per event; a codec-decoded body (e.g. protobuf) was checked by its codec.
  if (result.response || result.decodedAs) return result;
  let issues = validate(result.body);
  if (issues.length === 0) return result;
  let body = result.body;
  const relabelled = mislabelledJson(result);
  if (relabelled.parsed) {
    // JSON after all: accepted as such; an object or array refused is refused for its fields, not as
    // "not JSON" (a bare `404` of a text error page still is).
    const relabelledIssues = validate(relabelled.value);
    if (relabelledIssues.length === 0) return { ...result, body: relabelled.value };
    if (relabelled.value !== null && typeof relabelled.value === 'object') {
      issues = relabelledIssues;
      body = relabelled.value;
    }
  }
  if (mode === 'strict')
    throw new ResponseValidationError(context.endpoint.id, issues, body, {
      status: result.status,
      contentType: result.headers['content-type'],
    });
  context.services.logger.warn('response does not match schema', {
    endpointId: context.endpoint.id,
    issues,
  });
  return result;
}

/**
 * JSON under a Content-Type that does not say so (a gateway's `text/plain`): the serializer kept the
 * text, but what it parses to is the answer, checked against the schema. The Python SDK reads a model's
 * answer as JSON whatever its Content-Type; an HTML page still fails as not JSON.
 */
function mislabelledJson(result: CallResult): { parsed: true; value: unknown } | { parsed: false } {
  if (typeof result.body !== 'string' || /json/i.test(result.headers['content-type'] ?? ''))
    return { parsed: false };
  try {
    return { parsed: true, value: JSON.parse(result.body) };
  } catch {
    return { parsed: false };
  }
}
