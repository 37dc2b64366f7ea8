import type { ServerResponse } from 'node:http';
import { ByteModel, CORE, createAdapter } from '../model/byte-model.js';
import {
  SequenceSteps,
  samplingRandom,
  type SampledSequence,
  type SamplingSettings,
} from '../model/sampler.js';
import { streamTokens } from './sample-stream.js';
import { SUPPORTED_MODELS, parseTinkerPath, type EmulatorContext } from '../context.js';
import { checkSampleRanges } from './sample-ranges.js';
import { HttpError, ok, type Answer } from '../http-util.js';
import type { SamplerRecord } from '../state.js';
import { promptCacheHit } from '../model/prompt-cache.js';
import { recordRequestedTopk } from '../protocol/results.js';

type Body = Record<string, any>;

export function createSamplingSession(ctx: EmulatorContext, body: Body): Answer {
  const session = ctx.state.sessions.get(body.session_id);
  if (!session) throw new HttpError(404, `session ${body.session_id} not found`, 'session_id');
  const existing = session.samplingSeqIds.get(body.sampling_session_seq_id);
  if (existing) return ok({ type: 'create_sampling_session', sampling_session_id: existing });
  const samplerId = `${body.session_id}:sample:${body.sampling_session_seq_id}`;
  let record: SamplerRecord;
  if (body.model_path) {
    parseTinkerPath(body.model_path);
    const checkpoint = ctx.state.checkpoints.get(body.model_path);
    if (!checkpoint) throw new HttpError(404, `checkpoint ${body.model_path} not found`, 'model_path');
    record = {
      sampler_id: samplerId,
      base_model: checkpoint.base_model,
      model_path: body.model_path,
      model: ctx.baseModel(checkpoint.base_model),
      adapter: checkpoint.adapter,
    };
  } else if (body.base_model) {
    record = {
      sampler_id: samplerId,
      base_model: body.base_model,
      model_path: null,
      model: ctx.baseModel(body.base_model),
      adapter: createAdapter(1, 0),
    };
  } else {
    throw new HttpError(400, 'either model_path or base_model is required', 'model_path');
  }
  ctx.state.samplers.set(samplerId, record);
  session.samplingSeqIds.set(body.sampling_session_seq_id, samplerId);
  session.sampler_ids.push(samplerId);
  return ok({ type: 'create_sampling_session', sampling_session_id: samplerId });
}

function resolveSampler(ctx: EmulatorContext, body: Body): SamplerRecord {
  if (body.sampling_session_id) {
    const sampler = ctx.state.samplers.get(body.sampling_session_id);
    if (!sampler)
      throw new HttpError(404, `sampler ${body.sampling_session_id} not found`, 'sampling_session_id');
    return sampler;
  }
  if (body.base_model) {
    return {
      sampler_id: 'adhoc',
      base_model: body.base_model,
      model_path: null,
      model: ctx.baseModel(body.base_model),
      adapter: createAdapter(1, 0),
    };
  }
  throw new HttpError(400, 'sampling_session_id is required', 'sampling_session_id');
}

function settingsOf(body: Body): SamplingSettings {
  const p = body.sampling_params ?? {};
  const stop = p.stop == null ? [] : Array.isArray(p.stop) ? p.stop : [p.stop];
  return {
    max_tokens: p.max_tokens ?? 16,
    temperature: p.temperature ?? 1,
    top_k: p.top_k ?? -1,
    top_p: p.top_p ?? 1,
    seed: p.seed ?? undefined,
    stopStrings: stop
      .filter((s: unknown) => typeof s === 'string')
      .map((s: string) => [...Buffer.from(s, 'utf8')]),
    stopTokens: stop.filter((s: unknown) => typeof s === 'number'),
  };
}

function promptTokens(body: Body, vocab: number): number[] {
  const chunks: Body[] = body.prompt.chunks;
  const tokens = chunks.flatMap((c: Body, j: number) => {
    // This model reads only text, and dropping an image or audio chunk would misalign the prompt
    // logprobs with the client's prompt, which counts the chunk's tokens: refused, as training does.
    if (!Array.isArray(c.tokens))
      throw new HttpError(
        400,
        'only encoded_text chunks can be sampled (this model reads only text)',
        `prompt.chunks[${j}]`,
      );
    for (const t of c.tokens) {
      if (!Number.isInteger(t) || t < 0 || t >= vocab)
        throw new HttpError(400, `token ${t} is outside the vocabulary`, `prompt.chunks[${j}].tokens`);
    }
    return c.tokens;
  });
  // Nothing to condition on: an inference server refuses it (vLLM: "The decoder prompt cannot be empty")
  // rather than sample blind.
  if (tokens.length === 0)
    throw new HttpError(400, 'the prompt is empty: it must hold at least one token', 'prompt.chunks');
  return tokens;
}

/**
 * Prompt logprobs and optional top-k alternatives, one per prompt position (the first null: nothing
 * precedes it; none at all for an empty prompt).
 */
function promptScores(sampler: SamplerRecord, prompt: number[], topk: number) {
  const logits = new Float64Array(CORE);
  const logprobs: (number | null)[] = prompt.length > 0 ? [null] : [];
  const topkOut: ([number, number][] | null)[] = prompt.length > 0 ? [null] : [];
  for (let t = 1; t < prompt.length; t++) {
    const logZ = sampler.model.logits(sampler.adapter, t > 1 ? prompt[t - 2] : 0, prompt[t - 1], logits);
    logprobs.push(ByteModel.logprob(logits, logZ, prompt[t]));
    if (topk > 0) {
      const best = Array.from({ length: CORE }, (_, j) => j)
        .sort((a, b) => logits[b] - logits[a])
        .slice(0, topk);
      topkOut.push(best.map((j) => [j, logits[j] - logZ]));
    }
  }
  return { logprobs, topk: topkOut };
}

/**
 * vLLM refuses a prompt plus `max_tokens` beyond the model's context ("This model's maximum context
 * length is …"); sampling it would run the synchronous sampler until memory ran out, blocking the server.
 */
function checkContextLength(baseModel: string, promptLength: number, maxTokens: number): void {
  const limit = SUPPORTED_MODELS.find((m) => m.model_name === baseModel)?.max_context_length;
  if (limit !== undefined && promptLength + maxTokens > limit)
    throw new HttpError(
      400,
      `This model's maximum context length is ${limit} tokens. However, you requested ${promptLength + maxTokens} tokens (${promptLength} in the prompt, ${maxTokens} in max_tokens).`,
      'sampling_params.max_tokens',
    );
}

/** What a sample request needs before its first token: every HttpError it can raise is raised here. */
function prepareSample(ctx: EmulatorContext, body: Body) {
  checkSampleRanges(body);
  const sampler = resolveSampler(ctx, body);
  const prompt = promptTokens(body, sampler.model.vocabSize);
  const settings = settingsOf(body);
  checkContextLength(sampler.base_model, prompt.length, settings.max_tokens);
  const random = samplingRandom(settings.seed, ctx.samplingRandom);
  return { sampler, prompt, settings, random };
}
type PreparedSample = ReturnType<typeof prepareSample>;

function startSequence({ sampler, prompt, settings, random }: PreparedSample) {
  return new SequenceSteps(sampler.model, sampler.adapter, prompt, settings, random);
}

/** Meter the work and build the `sample` response around the sampled sequences. */
function sampleResponse(
  ctx: EmulatorContext,
  body: Body,
  prepared: PreparedSample,
  sequences: SampledSequence[],
) {
  const { sampler, prompt } = prepared;
  const sessionId = sampler.sampler_id.split(':sample:')[0];
  ctx.meter(sessionId, sampler.base_model, 'sampling_prefill', prompt.length);
  ctx.meter(
    sessionId,
    sampler.base_model,
    'sampling_sample',
    sequences.reduce((n, s) => n + s.tokens.length, 0),
  );
  const result: Record<string, unknown> = {
    type: 'sample',
    sequences,
    prompt_cache_hit_tokens: promptCacheHit(sampler, prompt),
  };
  if (body.prompt_logprobs || (body.topk_prompt_logprobs ?? 0) > 0) {
    const scores = promptScores(sampler, prompt, body.topk_prompt_logprobs ?? 0);
    result.prompt_logprobs = body.prompt_logprobs ? scores.logprobs : null;
    if ((body.topk_prompt_logprobs ?? 0) > 0) {
      result.topk_prompt_logprobs = scores.topk;
      // Rows hold at most CORE entries (the byte core): a larger k would only add sentinel slots.
      recordRequestedTopk(result, Math.min(body.topk_prompt_logprobs, CORE));
    }
  }
  return result;
}

function sampleResult(ctx: EmulatorContext, body: Body) {
  const prepared = prepareSample(ctx, body);
  const sequences = Array.from({ length: body.num_samples ?? 1 }, () => {
    const steps = startSequence(prepared);
    while (steps.next());
    return steps.result;
  });
  return sampleResponse(ctx, body, prepared, sequences);
}

/**
 * Sampled before an id is given: a refused request (404 unknown sampler, 400 bad input) takes none and
 * leaves no future, so a poll of an id the client holds from before a restart, which the ids of refused
 * requests would otherwise reuse, reads 404 rather than a `try_again` that never ends.
 */
export function asample(ctx: EmulatorContext, body: Body): Answer {
  let outcome: { result: unknown } | { failed: string };
  try {
    outcome = { result: sampleResult(ctx, body) };
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    if (error.status === 404 || error.status === 400) throw error;
    outcome = { failed: error.message };
  }
  const requestId = ctx.futures.create('sample');
  if ('result' in outcome) ctx.futures.complete(requestId, outcome.result);
  else ctx.futures.fail(requestId, outcome.failed, 'server');
  return ok({ request_id: requestId });
}

/**
 * SSE extension (not in the real API): one `token` event per sampled token, written as it is sampled,
 * then a `done` event with the complete response, then `data: [DONE]` (see `sample-stream.ts`). A bad
 * request fails here, before the first byte, as an HTTP error.
 */
export function streamSample(ctx: EmulatorContext, body: Body): Answer {
  const request = { ...body, num_samples: 1 };
  const prepared = prepareSample(ctx, request);
  const steps = startSequence(prepared);
  // Chaos `truncate` cuts a stream as it cuts any answer's body: after its first write, before `done`.
  const cut = ctx.chaos.roll('sampling', 'truncate');
  return {
    raw: (res: ServerResponse) =>
      streamTokens(res, steps, ctx.state.sampleStreams, {
        response: () => sampleResponse(ctx, request, prepared, [steps.result]),
        cut,
      }),
  };
}
