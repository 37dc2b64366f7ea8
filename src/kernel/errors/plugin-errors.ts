import { PristineError, type ErrorDetails } from './pristine-error.js';

/**
 * Plugin code (a stage, an error mapper) threw something that is not a PristineError: a bug or a
 * failure of its own, not the API's nor the network's. Never retried: the same code would throw again.
 * `cause` is what it threw (reduced to name, code, message and stack, credentials masked).
 */
export class PluginError extends PristineError {
  constructor(message: string, details: ErrorDetails = {}) {
    super(message, { category: 'unknown', retryable: false, ...details });
  }
}

/**
 * The auth scheme could not produce credentials (its `apply` threw: a token source that is down for
 * good, a revoked refresh token, a key file missing), so nothing was sent. Not a connection error and
 * never retried: as openai-node and Azure's core-rest-pipeline treat a credential that throws before
 * the request leaves, another attempt would ask the same source. `cause` is what the scheme threw.
 */
export class AuthSchemeError extends PluginError {
  constructor(message: string, details: ErrorDetails = {}) {
    // `??`, not a spread of defaults: an explicit `category: undefined` means the default too.
    super(message, { ...details, category: details.category ?? 'user' });
  }
}
