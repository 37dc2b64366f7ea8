/** `X-Tinker-Request-Type` per submitting endpoint, as the Python SDK names them on polls. */
export const REQUEST_TYPES: Readonly<Record<string, string>> = {
  create_model: 'CreateModel',
  forward_backward: 'ForwardBackward',
  forward: 'Forward',
  optim_step: 'OptimStep',
  save_weights: 'SaveWeights',
  load_weights: 'LoadWeights',
  save_weights_for_sampler: 'SaveWeightsForSampler',
  asample: 'Sample',
  unload_model: 'UnloadModel',
};
