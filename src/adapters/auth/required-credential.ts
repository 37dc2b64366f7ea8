import { ValidationError } from '../../kernel/errors/validation-error.js';
import { Secret, isSecret } from '../../kernel/redact.js';

/**
 * The credential a fixed-credential scheme was given, as a `Secret`, or a `ValidationError` when there
 * is none to send. `new BearerTokenAuth(process.env.MY_KEY as string)` with the variable unset would
 * otherwise send `Bearer undefined` (and an empty one `Bearer`) on every call, and the 401s would not
 * say why. The message never quotes the value.
 */
export function requiredCredential(where: string, value: unknown): Secret {
  const revealed = isSecret(value) ? value.reveal() : value;
  const hint = ' (an unset or empty environment variable?)';
  const problem =
    typeof revealed !== 'string'
      ? `must be a string, got ${kindOf(revealed)}${hint}`
      : revealed.trim() === ''
        ? `is empty${hint}`
        : undefined;
  if (problem)
    throw new ValidationError(where, [{ pointer: '/value', rule: 'credential', message: problem }]);
  return isSecret(value) ? value : new Secret(revealed as string);
}

/** The kind of a value that is no string, never the value itself (it may be a credential all the same). */
function kindOf(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
