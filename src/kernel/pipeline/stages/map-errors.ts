import { APIConnectionError } from '../../errors/api-errors.js';
import { sanitizedCause, scrubError } from '../../errors/error-secrets.js';
import { PristineError } from '../../errors/pristine-error.js';
import { PluginError } from '../../errors/plugin-errors.js';
import type { ErrorMapper } from '../../plugin-contract.js';
import type { CallContext, Stage } from '../context.js';
import { carryMark } from '../may-have-applied.js';
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
      const mapper = context.plugin.spec.errorMapper;
      if (mapper) {
        const before = error;
        error = mapped(mapper, error, context);
        carryMark(before, error);
      }
      return scrubError(error, context.services.secrets);
    },
  },
});

/**
 * The plugin's mapping of `error`. A mapper that throws, or answers with something that is not a
 * PristineError, is plugin code failing: a PluginError naming the error it was mapping, with the throw
 * as cause, never a raw `Error` past the typed hierarchy (this is outside the retry stage: not retried).
 */
function mapped(mapper: ErrorMapper, error: PristineError, context: CallContext): PristineError {
  let answer: unknown;
  try {
    answer = mapper(error, context.endpoint) ?? error;
  } catch (thrown) {
    answer = thrown;
  }
  if (answer instanceof PristineError) return answer;
  const reason = (answer as Error)?.message ?? String(answer);
  return new PluginError(
    `errorMapper of plugin "${context.plugin.spec.name}" failed on ${error.name} (${error.message}): ${reason}`,
    { cause: sanitizedCause(answer), endpointId: context.endpoint.id, status: error.status },
  );
}
