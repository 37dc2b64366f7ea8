import type { EndpointSpec } from 'pristine-kernel';
import { FutureRetrieveRequestSchema, FutureRetrieveResponseSchema } from '../types/futures.js';
import { TelemetryResponseSchema, TelemetrySendRequestSchema } from '../types/telemetry.js';

/** Futures (RETRIEVE_PROMISE) and telemetry. */
export const futuresEndpoints = [
  // Futures and telemetry
  {
    id: 'retrieve_future',
    method: 'POST',
    path: '/api/v1/retrieve_future',
    resource: 'futures',
    retry: 'none',
    timeoutMs: 45_000,
    input: FutureRetrieveRequestSchema,
    response: FutureRetrieveResponseSchema,
  },
  {
    id: 'telemetry',
    method: 'POST',
    path: '/api/v1/telemetry',
    resource: 'telemetry',
    // Its own connections, as the Python SDK's TELEMETRY pool: the batches of a sampling burst's events
    // go out during the burst instead of queueing behind it (and filling the event queue).
    pool: 'telemetry',
    retry: 'telemetry',
    timeoutMs: 5_000,
    input: TelemetrySendRequestSchema,
    response: TelemetryResponseSchema,
  },
] as const satisfies readonly EndpointSpec[];
