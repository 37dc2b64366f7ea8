/**
 * Every Tinker wire type, one source: the manifest, the TS types, client-side validation and the docs
 * all come from these schemas. Field names are snake_case exactly as on the wire.
 */
export * from './tensor-data.js';
export * from './model-input.js';
export * from './loss.js';
export * from './datum.js';
export * from './adam-params.js';
export * from './sampling-params.js';
export * from './lora-config.js';
export * from './requests.js';
export * from './responses.js';
export * from './sampling.js';
export * from './futures.js';
export * from './checkpoints.js';
export * from './training-runs.js';
export * from './sessions.js';
export * from './telemetry.js';
export * from './capabilities.js';
export * from './errors-wire.js';
export * from './tinker-path.js';

// Earlier names, kept for existing callers.
export { UntypedAPIFutureSchema as FutureHandleSchema } from './futures.js';
export { ForwardBackwardInputSchema as LossInputSchema } from './requests.js';
export { ForwardBackwardOutputSchema as LossOutputSchema } from './responses.js';
export type { TensorDataWire as TensorDataJSON } from './tensor-data.js';
export * from './client-config.js';
export * from './account.js';
