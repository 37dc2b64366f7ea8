import type { Stage } from './context.js';
import { attemptTelemetryStage } from './stages/attempt-telemetry.js';
import { authStage } from './stages/auth.js';
import { breakerStage } from './stages/breaker.js';
import { buildStage } from './stages/build.js';
import { callTelemetryStage } from './stages/call-telemetry.js';
import { classifyStage } from './stages/classify.js';
import { mapErrorsStage } from './stages/map-errors.js';
import { rateLimitStage } from './stages/rate-limit.js';
import { retryStage } from './stages/retry.js';
import { semaphoreStage } from './stages/semaphore.js';
import { transportStage } from './stages/transport.js';
import { validateInputStage } from './stages/validate-input.js';
import { validateResponseStage } from './stages/validate-response.js';

/**
 * The built-in stage order. Call-level stages run once; everything after `retry` runs per attempt:
 * retry ⊃ build ⊃ auth ⊃ ratelimit ⊃ breaker ⊃ semaphore ⊃ attempt span ⊃ classify ⊃ transport.
 */
export const builtInStages: readonly Stage[] = [
  validateInputStage,
  callTelemetryStage,
  mapErrorsStage,
  validateResponseStage,
  retryStage,
  buildStage,
  authStage,
  rateLimitStage,
  breakerStage,
  semaphoreStage,
  attemptTelemetryStage,
  classifyStage,
  transportStage,
];
