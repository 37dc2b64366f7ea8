import { APIConnectionError } from '../../errors/api-errors.js';
import { PristineError } from '../../errors/pristine-error.js';
import type { Stage } from '../context.js';
import { redactValue } from '../../redact.js';

/**
 * Every failure leaves the pipeline as a PristineError: unknown throwables are wrapped, the plugin may
 * map to a richer error, and known secrets are scrubbed from the message.
 */
export const mapErrorsStage: Stage = {
  name: 'errors',
  run(context, next) {
    return next().catch((thrown: unknown) => {
      let error =
        thrown instanceof PristineError
          ? thrown
          : new APIConnectionError(`Request failed: ${(thrown as Error)?.message ?? String(thrown)}`, {
              cause: thrown,
              retryable: false,
            });
      error = context.plugin.spec.errorMapper?.(error, context.endpoint) ?? error;
      const secrets = context.services.secrets;
      error.message = secrets.scrub(error.message);
      // Servers sometimes echo credentials back in error bodies.
      if (error.body !== undefined) (error as { body: unknown }).body = redactValue(error.body, { secrets });
      throw error;
    });
  },
};
