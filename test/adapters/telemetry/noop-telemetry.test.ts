import { describe, expect, it } from '@jest/globals';
import { NoopTelemetry } from '../../../src/adapters/telemetry/noop-telemetry.js';
import type { Telemetry } from '../../../src/ports/telemetry.js';

describe('NoopTelemetry', () => {
  it('returns one shared span and writes no headers', () => {
    const telemetry: Telemetry = new NoopTelemetry();
    const call = telemetry.startCall('call', { 'http.request.method': 'GET' });
    const attempt = telemetry.startAttempt(call, 'attempt', {});
    expect(attempt).toBe(call);
    expect(Object.isFrozen(call)).toBe(true);
    const headers: Record<string, string> = { accept: 'application/json' };
    telemetry.inject(attempt, headers);
    attempt.setAttributes({ a: 1 });
    attempt.recordError(new Error('x'));
    attempt.end();
    expect(headers).toEqual({ accept: 'application/json' });
  });
});
