import { Type, type Static } from 'pristine-kernel';
import { maybe } from './common.js';

export const SupportedModelSchema = Type.Object({
  model_name: maybe(Type.String()),
  /** 0.18.0+. */
  max_context_length: maybe(Type.Integer()),
});
export const GetServerCapabilitiesResponseSchema = Type.Object({
  supported_models: Type.Array(SupportedModelSchema),
});
export const HealthResponseSchema = Type.Object({ status: Type.String() });

export type SupportedModel = Static<typeof SupportedModelSchema>;
export type GetServerCapabilitiesResponse = Static<typeof GetServerCapabilitiesResponseSchema>;
export type HealthResponse = Static<typeof HealthResponseSchema>;
