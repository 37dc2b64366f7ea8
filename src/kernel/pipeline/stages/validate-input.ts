import { ValidationError } from '../../errors/validation-error.js';
import type { CompiledEndpoint } from '../../manifest/compile.js';
import { escapePointer, headerValueProblem } from '../../request/header-checks.js';
import type { CallContext, Stage } from '../context.js';
import { enteringStage } from '../stage-hooks.js';

/**
 * Inputs that passed their endpoint's schema in `kernel.validateInput(…, { sending: true })` just
 * before they are sent: the first call of that very object (and endpoint) does not run the schema
 * again. Weak, and each entry taken by the call it was for: a retry or a second call checks again.
 */
const passed = new WeakMap<object, CompiledEndpoint>();

export function passedValidation(endpoint: CompiledEndpoint, input: unknown): void {
  if (typeof input === 'object' && input !== null) passed.set(input, endpoint);
}

function schemaChecked(endpoint: CompiledEndpoint, input: object): boolean {
  return passed.get(input) === endpoint && passed.delete(input);
}

/**
 * Validate the input before anything touches the network: the endpoint schema, then what the request
 * builder would refuse later (path parameters that are empty or dot-segments, header parameters that
 * can never be sent). Checking those here, not when the request is built, keeps every stage placed
 * after `validate` (a plugin's protocol handshake, a permit, a token fetch) from acting on a call that
 * can never be sent.
 */
export const validateInputStage: Stage = enteringStage({
  name: 'validate',
  // Synchronous, with nothing to do on the way out: the stages after it run in the same go.
  enter(context) {
    const { endpoint, input } = context;
    if (!schemaChecked(endpoint, input)) {
      const issues = endpoint.validateInput?.(input) ?? [];
      if (issues.length > 0) throw new ValidationError(`input for "${endpoint.id}"`, issues);
    }
    if (endpoint.template.params.length > 0) endpoint.template.expand(input, endpoint.multiSegment);
    checkHeaderParams(context);
    if (endpoint.queryKeys.length > 0) checkQueryParams(context);
    return false;
  },
});

function checkHeaderParams({ endpoint, input }: CallContext): void {
  for (const key in endpoint.headerKeys) {
    const value = input[key];
    if (value === undefined || value === null) continue;
    const problem = headerValueProblem(String(value));
    // Named as check-headers names it when the request is built: by the header, lower-cased.
    const pointer = `/headers/${escapePointer(endpoint.headerKeys[key].toLowerCase())}`;
    if (problem)
      throw ValidationError.field(`headers for "${endpoint.id}"`, pointer, 'header-value', problem);
  }
}

/**
 * A query param is a string, number, boolean or bigint, or an array of them (one `key=` per item): an
 * object would go out as `[object Object]`, whatever its schema allowed.
 */
function checkQueryParams({ endpoint, input }: CallContext): void {
  for (const key of endpoint.queryKeys) {
    const value = input[key];
    if (value === undefined || value === null || isScalar(value)) continue;
    if (Array.isArray(value) && value.every(isScalar)) continue;
    throw ValidationError.field(
      `query for "${endpoint.id}"`,
      `/${escapePointer(key)}`,
      'type',
      `query parameter "${key}" must be a string, number or boolean, or an array of them, got ${Array.isArray(value) ? 'an array holding another kind' : typeof value}`,
    );
  }
}

function isScalar(value: unknown): boolean {
  const kind = typeof value;
  return kind === 'string' || kind === 'number' || kind === 'boolean' || kind === 'bigint';
}
