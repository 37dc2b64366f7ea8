import { ValidationError } from '../../errors/validation-error.js';
import type { Stage } from '../context.js';

/** Validate the input against the endpoint schema before anything touches the network. */
export const validateInputStage: Stage = {
  name: 'validate',
  run(context, next) {
    const issues = context.endpoint.validateInput?.(context.input) ?? [];
    if (issues.length > 0) throw new ValidationError(`input for "${context.endpoint.id}"`, issues);
    return next();
  },
};
