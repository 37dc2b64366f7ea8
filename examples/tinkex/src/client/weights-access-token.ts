import { ValidationError } from 'pristine-kernel';
import { apiKeyProblem } from '../api-key-format.js';

/**
 * A `weights_access_token` is another account's credential: the Python SDK authenticates a client with
 * it (whose auth provider refuses anything but "tml-…" or "eyJ…" before sending), and servers take it
 * as such. So anything else is refused here by name, before anything is sent, instead of coming back as
 * a 401 about an `X-API-Key` the caller's own key passes. The message never contains the token.
 */
export function checkWeightsAccessToken(token: unknown, where: string): string | undefined {
  if (token === undefined) return undefined;
  const pointer = '/weights_access_token';
  if (typeof token !== 'string' || token === '')
    throw ValidationError.field(where, pointer, 'type', 'must be a non-empty string');
  const problem = apiKeyProblem(token);
  if (problem) throw ValidationError.field(where, pointer, 'format', problem);
  return token;
}
