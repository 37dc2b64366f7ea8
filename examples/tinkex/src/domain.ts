/** The pure domain layer of Tinkex: wire types and builders, the manifest, and the algorithms. */
export * from './types/schemas.js';
export { ModelInput } from './types/model-input.js';
export { TensorData } from './types/tensor-data.js';
export { tinkerManifest, type TinkerManifest } from './manifest.js';
export * from './training/chunking.js';
export * from './training/metrics.js';
export {
  forwardDataForCustomLoss,
  customLossGradients,
  backwardData,
  logprobsFromForward,
  type CustomLoss,
  type ManualLoss,
  type AutodiffLoss,
  type CustomLossResult,
  type Metrics,
} from './training/custom-loss.js';
export { loadTf } from './training/tf-loader.js';
export { pythonTupleHash, pythonIntHash } from './training/python-hash.js';
export * from './regularizers/index.js';
export * from './tokenizer/tokenizer.js';
