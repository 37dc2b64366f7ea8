import { describe, expect, it } from '@jest/globals';
import { shapeV025Body } from '../../src/protocol/body-rules.js';

/** The JSON a 0.25 client sends for `input`: key order included, as it goes on the wire. */
const wire = (endpointId: string, input: Record<string, unknown>) =>
  JSON.stringify(shapeV025Body(endpointId, input));

describe('0.25 body shapes (tinker-wire-0.25.md §4)', () => {
  it('asample: defaults first, given values merged into them, chunks typed, type last', () => {
    const input = {
      num_samples: 2,
      prompt: { chunks: [{ tokens: [101, 1996] }] },
      sampling_params: { max_tokens: 8, seed: 1234, temperature: 0.7, stop: null },
      sampling_session_id: 'S:sample:0',
      prompt_logprobs: true,
      topk_prompt_logprobs: 0,
      seq_id: 0,
    };
    expect(wire('asample', input)).toBe(
      '{"num_samples":2,"sampling_params":{"temperature":0.7,"top_k":-1,"top_p":1,"max_tokens":8,"seed":1234},' +
        '"topk_prompt_logprobs":0,"prompt":{"chunks":[{"tokens":[101,1996],"type":"encoded_text"}]},' +
        '"sampling_session_id":"S:sample:0","prompt_logprobs":true,"seq_id":0,"type":"sample"}',
    );
    // The caller's objects are left as they were (a retry sends the same input again).
    expect(input.prompt).toEqual({ chunks: [{ tokens: [101, 1996] }] });
    expect(input.sampling_params).toEqual({ max_tokens: 8, seed: 1234, temperature: 0.7, stop: null });
  });

  it('asample: absent fields take the defaults; image chunks and already typed chunks are left alone', () => {
    const image = { data: 'AAAA', format: 'png', expected_tokens: null };
    const typed = { tokens: [1], type: 'encoded_text' };
    expect(
      wire('asample', {
        prompt: { chunks: [image, typed, { tokens: [] }] },
        sampling_params: { max_tokens: 1 },
        sampling_session_id: 'S:sample:1',
        seq_id: 3,
      }),
    ).toBe(
      '{"num_samples":1,"sampling_params":{"temperature":1,"top_k":-1,"top_p":1,"max_tokens":1},' +
        '"topk_prompt_logprobs":0,"prompt":{"chunks":[{"data":"AAAA","format":"png","expected_tokens":null},' +
        '{"tokens":[1],"type":"encoded_text"},{"tokens":[],"type":"encoded_text"}]},' +
        '"sampling_session_id":"S:sample:1","seq_id":3,"type":"sample"}',
    );
  });

  it('nulls are dropped at every depth of plain objects, arrays left alone, unless the rule keeps them', () => {
    expect(
      wire('optim_step', { adam_params: { learning_rate: 1e-4, eps: null }, model_id: 'm', extra: null }),
    ).toBe(
      '{"adam_params":{"beta1":0.9,"beta2":0.95,"eps":1e-12,"weight_decay":0,"grad_clip_norm":0,' +
        '"learning_rate":0.0001},"model_id":"m","type":"optim_step"}',
    );
    expect(
      wire('create_model', { base_model: 'b', lora_config: { rank: 8, seed: null, x: { y: null } } }),
    ).toBe('{"base_model":"b","lora_config":{"rank":8,"x":{}},"type":"create_model"}');
    expect(wire('set_checkpoint_ttl', { checkpoint_id: 'c', ttl_seconds: null })).toBe(
      '{"checkpoint_id":"c","ttl_seconds":null}',
    );
    expect(wire('create_session', { tags: [null], user_metadata: {} })).toBe(
      '{"tags":[null],"user_metadata":{},"sdk_version":"0.25.0","type":"create_session"}',
    );
  });

  it('a default replaced by a non-object value keeps its place; endpoints without a rule pass as they are', () => {
    expect(wire('save_weights', { model_id: 'm', overwrite: true, path: 'p' })).toBe(
      '{"overwrite":true,"model_id":"m","path":"p","type":"save_weights"}',
    );
    const input = { a: null };
    expect(shapeV025Body('get_sampler', input)).toBe(input);
  });
});
