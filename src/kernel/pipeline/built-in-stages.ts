import type { Stage } from './context.js';
import { attemptTelemetryStage } from './stages/attempt-telemetry.js';
import { authStage } from './stages/auth.js';
import { breakerStage } from './stages/breaker.js';
import { buildStage } from './stages/build.js';
import { checkHeadersStage } from './stages/check-headers.js';
import { callTelemetryStage } from './stages/call-telemetry.js';
import { classifyStage } from './stages/classify.js';
import { mapErrorsStage } from './stages/map-errors.js';
import { rateLimitStage } from './stages/rate-limit.js';
import { requestLogStage } from './stages/request-log.js';
import { retryStage } from './stages/retry.js';
import { semaphoreStage } from './stages/semaphore.js';
import { transportStage } from './stages/transport.js';
import { validateInputStage } from './stages/validate-input.js';
import { validateResponseStage } from './stages/validate-response.js';

/**
 * The built-in stage order. Call-level stages run once; everything after `retry` runs per attempt:
 * retry ⊃ ratelimit ⊃ breaker ⊃ semaphore ⊃ build ⊃ auth ⊃ check-headers ⊃ attempt span ⊃ classify ⊃ log ⊃
 * transport.
 * A throttled bucket or an open breaker decides before a permit is taken; a request is built (and
 * authenticated) only once it holds its permit, so thousands of queued calls hold no built requests and
 * each request leaves with fresh headers and a fresh token.
 */
export const builtInStages: readonly Stage[] = [
  validateInputStage,
  callTelemetryStage,
  mapErrorsStage,
  validateResponseStage,
  retryStage,
  rateLimitStage,
  breakerStage,
  semaphoreStage,
  buildStage,
  authStage,
  checkHeadersStage,
  attemptTelemetryStage,
  classifyStage,
  requestLogStage,
  transportStage,
];
