export * from './types.js';
export type { RegularizerEventMap, RegularizerEvents } from './events.js';
export { l1, type L1Options } from './l1.js';
export { l2, type L2Options } from './l2.js';
export { elasticNet, type ElasticNetOptions } from './elastic-net.js';
export { entropy, type EntropyOptions } from './entropy.js';
export { klDivergence, type KLOptions } from './kl-divergence.js';
export { consistency, type ConsistencyOptions } from './consistency.js';
export { orthogonality, type OrthogonalityOptions } from './orthogonality.js';
export { gradientPenalty, type GradientPenaltyOptions } from './gradient-penalty.js';
export {
  computePipeline,
  withRegularizers,
  validateSpecs,
  type RegularizerSpec,
  type RegularizerOutput,
  type CustomLossOutput,
  type RegularizedLoss,
  type RegularizedMetrics,
  type BaseLoss,
  type PipelineOptions,
} from './pipeline.js';
