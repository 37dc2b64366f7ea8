import { APIConnectionError } from '../../errors/api-errors.js';
import { sanitizedCause, scrubError } from '../../errors/error-secrets.js';
import { PristineError } from '../../errors/pristine-error.js';
import type { Stage } from '../context.js';
import { enteringStage } from '../stage-hooks.js';

/**
 * Every failure leaves the pipeline as a PristineError: unknown throwables are wrapped (their cause
 * reduced to name, code, message and stack), the plugin may map to a richer error, and the kernel's
 * known secrets are scrubbed from message, stack, headers and body, since servers sometimes echo
 * credentials back. The registry stays bound to the error for its `toJSON` and `util.inspect`.
 */
export const mapErrorsStage: Stage = enteringStage({
  name: 'errors',
  enter: () => true,
  hooks: {
    rejected(context, thrown) {
      let error =
        thrown instanceof PristineError
          ? thrown
          : new APIConnectionError(`Request failed: ${(thrown as Error)?.message ?? String(thrown)}`, {
              cause: sanitizedCause(thrown),
              retryable: false,
            });
      error = context.plugin.spec.errorMapper?.(error, context.endpoint) ?? error;
      return scrubError(error, context.services.secrets);
    },
  },
});
