import { S, type Rule } from './validation.js';

/** `type` discriminators are optional: 0.7.0 never sends them, newer clients do. */
const typed = (name: string, fields: Record<string, Rule>) => S.obj({ ...fields, type: S.opt(S.lit(name)) });

const tensor = S.obj({
  data: S.arr(S.num),
  dtype: S.union(S.lit('int64'), S.lit('float32')),
  shape: S.maybe(S.arr(S.int)),
  sparse_crow_indices: S.maybe(S.arr(S.int)),
  sparse_col_indices: S.maybe(S.arr(S.int)),
});

const chunk = S.union(
  typed('encoded_text', { tokens: S.arr(S.int) }),
  S.obj({ type: S.lit('image'), data: S.str, format: S.str, expected_tokens: S.maybe(S.int) }),
  S.obj({
    type: S.lit('image_asset_pointer'),
    location: S.str,
    format: S.str,
    expected_tokens: S.maybe(S.int),
  }),
  // Audio: the serialized DMel tensor, base64 in JSON (the SDK's DmelChunk), as protobuf's `dmel` chunk.
  S.obj({ type: S.lit('dmel'), dmel: S.str }),
);

const modelInput = S.obj({ chunks: S.arr(chunk) });

const datum = S.obj({ model_input: modelInput, loss_fn_inputs: S.rec(tensor) });

const lossInput = S.obj({
  data: S.arr(datum),
  loss_fn: S.union(
    S.lit('cross_entropy'),
    S.lit('importance_sampling'),
    S.lit('ppo'),
    S.lit('cispo'),
    S.lit('dro'),
  ),
  loss_fn_config: S.maybe(S.rec(S.num)),
});

const samplingParams = S.obj({
  max_tokens: S.maybe(S.int),
  seed: S.maybe(S.int),
  stop: S.maybe(S.union(S.str, S.arr(S.str), S.arr(S.int))),
  temperature: S.opt(S.num),
  top_k: S.opt(S.int),
  top_p: S.opt(S.num),
});

export const REQUEST_SCHEMAS: Record<string, Rule> = {
  'client/config': S.obj({ sdk_version: S.str }),
  'client/dynamic_config': S.obj({ sdk_version: S.str }),
  'auth/token': S.obj({}),
  create_session: typed('create_session', {
    tags: S.arr(S.str),
    user_metadata: S.maybe(S.rec(S.str)),
    sdk_version: S.str,
    project_id: S.maybe(S.str),
  }),
  session_heartbeat: typed('session_heartbeat', { session_id: S.str }),
  create_sampling_session: typed('create_sampling_session', {
    session_id: S.str,
    sampling_session_seq_id: S.int,
    base_model: S.maybe(S.str),
    model_path: S.maybe(S.str),
  }),
  create_model: typed('create_model', {
    session_id: S.str,
    model_seq_id: S.int,
    base_model: S.str,
    user_metadata: S.maybe(S.rec(S.str)),
    lora_config: S.maybe(
      S.obj({
        rank: S.opt(S.int),
        seed: S.maybe(S.int),
        train_unembed: S.opt(S.bool),
        train_mlp: S.opt(S.bool),
        train_attn: S.opt(S.bool),
      }),
    ),
  }),
  get_info: typed('get_info', { model_id: S.str }),
  unload_model: typed('unload_model', { model_id: S.str }),
  forward: typed('forward', { forward_input: lossInput, model_id: S.str, seq_id: S.maybe(S.int) }),
  forward_backward: typed('forward_backward', {
    forward_backward_input: lossInput,
    model_id: S.str,
    seq_id: S.maybe(S.int),
  }),
  optim_step: typed('optim_step', {
    adam_params: S.obj({
      learning_rate: S.opt(S.num),
      beta1: S.opt(S.num),
      beta2: S.opt(S.num),
      eps: S.opt(S.num),
      weight_decay: S.opt(S.num),
      grad_clip_norm: S.opt(S.num),
    }),
    model_id: S.str,
    seq_id: S.maybe(S.int),
  }),
  save_weights: typed('save_weights', {
    model_id: S.str,
    path: S.maybe(S.str),
    seq_id: S.maybe(S.int),
    ttl_seconds: S.maybe(S.int),
    overwrite: S.opt(S.bool),
  }),
  // Legacy form (model_id, seq_id) or create-via-load (session_id, model_seq_id, base_model?, user_metadata?).
  load_weights: typed('load_weights', {
    model_id: S.opt(S.str),
    session_id: S.opt(S.str),
    model_seq_id: S.opt(S.int),
    base_model: S.maybe(S.str),
    user_metadata: S.maybe(S.rec(S.str)),
    path: S.str,
    optimizer: S.opt(S.bool),
    seq_id: S.maybe(S.int),
    weights_access_token: S.maybe(S.str),
  }),
  save_weights_for_sampler: typed('save_weights_for_sampler', {
    model_id: S.str,
    path: S.maybe(S.str),
    sampling_session_seq_id: S.maybe(S.int),
    seq_id: S.maybe(S.int),
    ttl_seconds: S.maybe(S.int),
  }),
  weights_info: S.obj({ tinker_path: S.str }),
  asample: typed('sample', {
    num_samples: S.opt(S.int),
    prompt: modelInput,
    sampling_params: samplingParams,
    base_model: S.maybe(S.str),
    model_path: S.maybe(S.str),
    sampling_session_id: S.maybe(S.str),
    seq_id: S.maybe(S.int),
    prompt_logprobs: S.maybe(S.bool),
    topk_prompt_logprobs: S.opt(S.int),
  }),
  retrieve_future: S.obj({ request_id: S.str, allow_metadata_only: S.opt(S.bool), type: S.opt(S.str) }),
  telemetry: S.obj({
    events: S.arr(S.rec(S.any)),
    platform: S.str,
    sdk_version: S.str,
    session_id: S.str,
    process_uuid: S.maybe(S.str),
  }),
  ttl: S.obj({ ttl_seconds: S.nullable(S.int) }),
  project: S.obj({ project_id: S.str }),
};
