import { PristineError } from '../../errors/pristine-error.js';
import type { ValidationIssue } from '../../../ports/serializer.js';
import type { CallContext, CallResult, Stage } from '../context.js';

/** The server answered with a body that does not match the endpoint's response schema. */
export class ResponseValidationError extends PristineError {
  constructor(
    readonly endpointId: string,
    readonly issues: readonly ValidationIssue[],
    body: unknown,
  ) {
    super(
      `Response of "${endpointId}" does not match its schema:\n${issues.map((i) => `  ${i.pointer || '/'}: ${i.message}`).join('\n')}`,
      { body, category: 'server' },
    );
  }
}

/** Validate decoded responses: `strict` throws, `warn` logs, `off` skips. Unknown fields are kept. */
export const validateResponseStage: Stage = {
  name: 'response',
  run(context, next) {
    const mode = context.services.settings.responseValidation;
    if (mode === 'off' || !context.endpoint.validateResponse) return next();
    return next().then((result) => checked(context, result, mode));
  },
  passes: (context) =>
    context.services.settings.responseValidation === 'off' || !context.endpoint.validateResponse,
};

function checked(context: CallContext, result: CallResult, mode: 'strict' | 'warn'): CallResult {
  const validate = context.endpoint.validateResponse!;
  // Streams are validated per event; a codec-decoded body (e.g. protobuf) was checked by its codec.
  if (result.response || result.decodedAs) return result;
  const issues = validate(result.body);
  if (issues.length === 0) return result;
  if (mode === 'strict') throw new ResponseValidationError(context.endpoint.id, issues, result.body);
  context.services.logger.warn('response does not match schema', {
    endpointId: context.endpoint.id,
    issues,
  });
  return result;
}
