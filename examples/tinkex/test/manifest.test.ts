import { describe, expect, it } from '@jest/globals';
import { AjvJsonSerializer, createKernel, definePlugin } from 'pristine-kernel';
import { tinkerManifest } from '../src/manifest.js';
import { callName } from '../src/protocol/call-name.js';

const endpoint = (id: string) => {
  const found = tinkerManifest.endpoints.find((e) => e.id === id);
  if (!found) throw new Error(`no endpoint ${id}`);
  return found as { input?: object; future?: string; multiSegment?: readonly string[]; redirect?: string };
};
const ajv = new AjvJsonSerializer();
const issues = (id: string, body: unknown) => ajv.compile(endpoint(id).input!)(body);

describe('the Tinker manifest', () => {
  // `publish` makes 409 final on publish/unpublish (already public/private is not retryable).
  it('registers cleanly in a kernel with the policy, protocol and weight names it references', () => {
    const plugin = definePlugin({
      name: 'tinker',
      version: tinkerManifest.version,
      manifest: tinkerManifest,
      retryPolicies: {
        default: {},
        none: { maxRetries: 0 },
        publish: { fatalStatuses: [409] },
        telemetry: { maxRetries: 1 },
      },
      pollProtocols: { tinker: {} as never },
      weights: { promptBytes: () => 1, fwdbwdBytes: () => 1 },
    });
    expect(() => createKernel().use(plugin)).not.toThrow();
  });

  it("gives the handshake, session and telemetry calls the Python SDK's own pools (SESSION, TELEMETRY)", () => {
    const pools: Record<string, string[]> = {};
    for (const e of tinkerManifest.endpoints) {
      const pool = (e as { pool?: string }).pool;
      if (pool) (pools[pool] ??= []).push(e.id);
    }
    expect(pools).toEqual({
      session: [
        'get_client_config',
        'get_dynamic_config',
        'auth_token',
        'create_session',
        'session_heartbeat',
        'create_sampling_session',
      ],
      telemetry: ['telemetry'],
    });
  });

  it("names 0.25's protobuf variants by the JSON call they send, so retry lines and warnings say that call", () => {
    const named = tinkerManifest.endpoints.flatMap((e) =>
      'callName' in e && e.callName ? [[e.id, e.callName, e.path]] : [],
    );
    expect(named).toEqual([
      ['forward_backward_proto', 'forward_backward', '/api/v1/forward_backward'],
      ['forward_proto', 'forward', '/api/v1/forward_backward'],
    ]);
    // Each names a call of the JSON protocol that exists, and the helper for warnings agrees.
    for (const [id, name] of named) {
      expect(endpoint(name!)).toBeDefined();
      expect(callName(id!)).toBe(name);
    }
    expect(callName('asample')).toBe('asample');
  });

  it('marks every endpoint that answers {request_id} as a tinker future, and only those', () => {
    const futures = tinkerManifest.endpoints
      .filter((e) => 'future' in e)
      .map((e) => e.id)
      .sort();
    expect(futures).toEqual(
      [
        'asample',
        'create_model',
        'forward',
        'forward_backward',
        'forward_backward_proto',
        'forward_proto',
        'load_weights',
        'optim_step',
        'save_weights',
        'save_weights_for_sampler',
        'unload_model',
      ].sort(),
    );
    expect(endpoint('get_checkpoint_archive_url').redirect).toBe('manual');
    expect(endpoint('delete_checkpoint').multiSegment).toEqual(['checkpoint_id']);
  });

  // Bodies verbatim from tinker-wire-0.7.0.md §4 (0.7.0: no `type`, explicit nulls).
  it.each([
    ['create_session', { tags: [], user_metadata: {}, sdk_version: '0.7.0' }],
    [
      'create_model',
      {
        session_id: 'S',
        model_seq_id: 0,
        base_model: 'meta-llama/Llama-3.2-1B',
        user_metadata: null,
        lora_config: { rank: 8, seed: null, train_unembed: true, train_mlp: true, train_attn: true },
      },
    ],
    ['get_info', { model_id: 'S:train:0' }],
    [
      'forward_backward',
      {
        forward_backward_input: {
          data: [
            {
              loss_fn_inputs: {
                target_tokens: { data: [2023, 2003, 1037, 3231, 102], dtype: 'int64', shape: [5] },
                weights: { data: [0.0, 1.0, 1.0, 1.0, 1.0], dtype: 'float32', shape: [5] },
              },
              model_input: { chunks: [{ tokens: [101, 2023, 2003, 1037, 3231] }] },
            },
          ],
          loss_fn: 'cross_entropy',
          loss_fn_config: null,
        },
        model_id: 'S:train:0',
        seq_id: 1,
      },
    ],
    ['optim_step', { adam_params: { learning_rate: 0.0001 }, model_id: 'S:train:0', seq_id: 2 }],
    ['save_weights', { model_id: 'S:train:0', path: 'my-ckpt', seq_id: 4 }],
    [
      'load_weights',
      { model_id: 'S:train:0', path: 'tinker://S:train:0/weights/my-ckpt', optimizer: false, seq_id: 5 },
    ],
    ['save_weights_for_sampler', { model_id: 'S:train:0', sampling_session_seq_id: 0, seq_id: 7 }],
    [
      'asample',
      {
        num_samples: 2,
        prompt: { chunks: [{ tokens: [101, 1996, 3007] }] },
        sampling_params: { max_tokens: 8, seed: 1234, temperature: 0.7 },
        sampling_session_id: 'S:sample:0',
        seq_id: 0,
        prompt_logprobs: true,
        topk_prompt_logprobs: 0,
      },
    ],
    [
      'create_sampling_session',
      {
        session_id: 'S',
        sampling_session_seq_id: 1,
        base_model: null,
        model_path: 'tinker://S:train:0/sampler_weights/s',
      },
    ],
    ['weights_info', { tinker_path: 'tinker://S:train:0/weights/my-ckpt' }],
    ['session_heartbeat', { session_id: 'S' }],
    ['retrieve_future', { request_id: 'r1' }],
    [
      'telemetry',
      {
        events: [
          {
            event: 'SESSION_START',
            event_id: 'e',
            event_session_index: 0,
            severity: 'INFO',
            timestamp: '2025-12-15T01:07:10.123456Z',
          },
        ],
        platform: 'Linux',
        sdk_version: '0.7.0',
        session_id: 'S',
      },
    ],
    [
      'set_checkpoint_ttl',
      { training_run_id: 'S:train:0', checkpoint_id: 'weights/my-ckpt', ttl_seconds: null },
    ],
  ])('accepts the 0.7.0 %s body', (id, body) => {
    expect(issues(id, body)).toEqual([]);
  });

  it('accepts what newer SDKs send: type tags and every default', () => {
    expect(
      issues('asample', {
        num_samples: 1,
        prompt: { chunks: [{ tokens: [1], type: 'encoded_text' }] },
        sampling_params: { max_tokens: 4, temperature: 1, top_k: -1, top_p: 1 },
        sampling_session_id: 'S:sample:1',
        seq_id: 3,
        prompt_logprobs: false,
        topk_prompt_logprobs: 0,
        type: 'sample',
      }),
    ).toEqual([]);
    expect(
      issues('optim_step', {
        adam_params: {
          learning_rate: 1e-4,
          beta1: 0.9,
          beta2: 0.95,
          eps: 1e-12,
          weight_decay: 0,
          grad_clip_norm: 0,
        },
        model_id: 'm',
        seq_id: 1,
        type: 'optim_step',
      }),
    ).toEqual([]);
    expect(
      issues('load_weights', {
        session_id: 'S',
        model_seq_id: 1,
        path: 'tinker://r/weights/x',
        optimizer: true,
        type: 'load_weights',
      }),
    ).toEqual([]);
  });

  it('rejects wrong types with field paths, unknown fields and bad checkpoint ids', () => {
    expect(issues('optim_step', { adam_params: { learning_rate: 'fast' }, model_id: 'm' })[0].pointer).toBe(
      '/adam_params/learning_rate',
    );
    expect(issues('get_info', { model_id: 'm', extra: 1 })[0].pointer).toBe('/extra');
    expect(
      issues('asample', { prompt: { chunks: [{ tokens: [1.5] }] }, sampling_params: {} }).length,
    ).toBeGreaterThan(0);
    expect(
      issues('delete_checkpoint', { training_run_id: 'r', checkpoint_id: 'optimizer/x' })[0].pointer,
    ).toBe('/checkpoint_id');
  });
});
