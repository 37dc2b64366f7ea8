import type { EndpointSpec } from 'pristine-kernel';
import { GetServerCapabilitiesResponseSchema, HealthResponseSchema } from '../types/capabilities.js';
import {
  AuthTokenRequestSchema,
  AuthTokenResponseSchema,
  ClientConfigRequestSchema,
  ClientConfigResponseSchema,
  ClientDynamicConfigResponseSchema,
} from '../types/client-config.js';
import {
  CreateSamplingSessionRequestSchema,
  CreateSamplingSessionResponseSchema,
  CreateSessionRequestSchema,
  CreateSessionResponseSchema,
  SessionHeartbeatRequestSchema,
  SessionHeartbeatResponseSchema,
} from '../types/sessions.js';

/**
 * Handshake (0.18.0+), sessions and service endpoints. The handshake and session calls use connections
 * of their own (the Python SDK's SESSION pool): a heartbeat never queues behind a sampling burst.
 */
export const sessionsEndpoints = [
  // Bootstrap (0.18.0+)
  {
    id: 'get_client_config',
    method: 'POST',
    path: '/api/v1/client/config',
    resource: 'sessions',
    pool: 'session',
    input: ClientConfigRequestSchema,
    response: ClientConfigResponseSchema,
  },
  {
    id: 'get_dynamic_config',
    method: 'POST',
    path: '/api/v1/client/dynamic_config',
    resource: 'sessions',
    pool: 'session',
    retry: 'none',
    timeoutMs: 10_000,
    input: ClientConfigRequestSchema,
    response: ClientDynamicConfigResponseSchema,
  },
  {
    id: 'auth_token',
    method: 'POST',
    path: '/api/v1/auth/token',
    resource: 'sessions',
    pool: 'session',
    input: AuthTokenRequestSchema,
    response: AuthTokenResponseSchema,
  },
  // Sessions
  {
    id: 'create_session',
    method: 'POST',
    path: '/api/v1/create_session',
    resource: 'sessions',
    pool: 'session',
    input: CreateSessionRequestSchema,
    response: CreateSessionResponseSchema,
  },
  {
    id: 'session_heartbeat',
    method: 'POST',
    path: '/api/v1/session_heartbeat',
    resource: 'sessions',
    pool: 'session',
    retry: 'none',
    timeoutMs: 10_000,
    input: SessionHeartbeatRequestSchema,
    response: SessionHeartbeatResponseSchema,
  },
  {
    id: 'create_sampling_session',
    method: 'POST',
    path: '/api/v1/create_sampling_session',
    resource: 'sessions',
    pool: 'session',
    input: CreateSamplingSessionRequestSchema,
    response: CreateSamplingSessionResponseSchema,
  },
  // Service
  {
    id: 'get_server_capabilities',
    method: 'GET',
    path: '/api/v1/get_server_capabilities',
    resource: 'training',
    response: GetServerCapabilitiesResponseSchema,
  },
  {
    id: 'healthz',
    method: 'GET',
    path: '/api/v1/healthz',
    response: HealthResponseSchema,
  },
] as const satisfies readonly EndpointSpec[];
