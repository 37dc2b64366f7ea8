// The call context and stage types live with the plugin spec they refer to (one module, no cycle).
export type {
  CallOptions,
  UploadProgress,
  ResolvedOptions,
  CallContext,
  CallResult,
  Next,
  Stage,
  StagePlacement,
  StageHooks,
} from '../plugin-contract.js';
