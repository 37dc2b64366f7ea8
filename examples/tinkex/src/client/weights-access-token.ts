import { ValidationError } from 'pristine-kernel';
import { apiKeyProblem } from '../api-key-format.js';

/**
 * A `weights_access_token` is another account's credential: the Python SDK authenticates a client with
 * it (whose auth provider refuses anything but "tml-…" or "eyJ…" before sending), and servers take it
 * as such. So anything else is refused here by name, before anything is sent, instead of coming back as
 * a 401 about an `X-API-Key` the caller's own key passes; so is an empty one, on every path that takes it.
 * The message never contains the token.
 */
export function checkWeightsAccessToken(token: unknown, where: string): string | undefined {
  if (token === undefined) return undefined;
  const pointer = '/weights_access_token';
  if (typeof token !== 'string') throw ValidationError.field(where, pointer, 'type', 'must be a string');
  // Almost always an unset variable interpolated: refused, not dropped (that would load with the
  // caller's own credential).
  if (token === '')
    throw ValidationError.field(where, pointer, 'minLength', 'must not be empty (an unset variable?)');
  const problem = apiKeyProblem(token);
  if (problem) throw ValidationError.field(where, pointer, 'format', problem);
  return token;
}
