import { Type, type Static } from 'pristine-kernel';
import { strict } from './common.js';

/** `POST /client/config` and `/client/dynamic_config` (0.18.0+): `{sdk_version}`. */
export const ClientConfigRequestSchema = Type.Object({ sdk_version: Type.String() }, strict);

/** Server-driven flags; every field has a default and unknown flags are ignored. */
export const ClientConfigResponseSchema = Type.Object({
  pjwt_auth_enabled: Type.Optional(Type.Boolean()),
  credential_default_source: Type.Optional(Type.String()),
  sample_dispatch_bytes_semaphore_size: Type.Optional(Type.Integer()),
  inflight_response_bytes_semaphore_size: Type.Optional(Type.Integer()),
  parallel_fwdbwd_chunks: Type.Optional(Type.Boolean()),
  billing_exception_max_pause_duration_sec: Type.Optional(Type.Integer()),
  sample_no_retries: Type.Optional(Type.Boolean()),
  sample_enable_stuck_detection: Type.Optional(Type.Boolean()),
  sample_max_concurrent_requests: Type.Optional(Type.Integer()),
  create_model_via_load_weights: Type.Optional(Type.Boolean()),
});
export const ClientDynamicConfigResponseSchema = Type.Object({
  refresh_interval_sec: Type.Optional(Type.Number()),
});

/** `POST /auth/token` with `{}` exchanges the credential for a JWT (sent in `X-API-Key` afterwards). */
export const AuthTokenRequestSchema = Type.Object({}, strict);
export const AuthTokenResponseSchema = Type.Object({ jwt: Type.String() });

export type ClientConfigResponse = Static<typeof ClientConfigResponseSchema>;
export type ClientDynamicConfigResponse = Static<typeof ClientDynamicConfigResponseSchema>;
export type AuthTokenResponse = Static<typeof AuthTokenResponseSchema>;
