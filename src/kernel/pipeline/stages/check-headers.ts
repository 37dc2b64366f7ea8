import { ValidationError } from '../../errors/validation-error.js';
import { headerIssues } from '../../request/header-checks.js';
import type { Stage } from '../context.js';
import { enteringStage } from '../stage-hooks.js';

/**
 * The last look at a request before it leaves: every header name is a token and every value is one
 * line of printable ASCII. Per-call and static headers were checked earlier; this catches what is
 * assembled per attempt (header params from the input, dynamic headers, a token from a provider).
 * Node refuses such a header with a TypeError that would look like a connection error and be retried
 * although it can never be sent; here it is a ValidationError (not retryable), and messages never
 * quote the value.
 */
export const checkHeadersStage: Stage = enteringStage({
  name: 'check-headers',
  enter(context) {
    const request = context.request;
    if (request) {
      // The plugin's static headers were checked once, at registration: only what differs is checked.
      const issues = headerIssues(request.headers, '/headers', context.plugin.checkedHeaders);
      if (issues.length > 0) throw new ValidationError(`headers for "${context.endpoint.id}"`, issues);
    }
    return false;
  },
});
