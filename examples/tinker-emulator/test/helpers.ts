import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../src/index.js';

export const KEY = 'tml-emulator-test-key';

/** A plain-HTTP client for emulator tests: no SDK code involved. */
export function client(emulator: RunningEmulator, key = KEY) {
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${emulator.url}${path}`, {
      method,
      headers: {
        'x-api-key': key,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: 'manual',
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? safeJson(text) : undefined };
  };
  const post = (path: string, body: unknown) => call('POST', `/api/v1/${path}`, body);
  /** Poll a future until it is no longer try_again. */
  const result = async (requestId: string, extra: Record<string, unknown> = {}, maxPolls = 1000) => {
    for (let i = 0; i < maxPolls; i++) {
      const r = await post('retrieve_future', { request_id: requestId, ...extra });
      if (r.status !== 200 || r.body?.type !== 'try_again') return r;
    }
    throw new Error('future never completed');
  };
  const submit = async (path: string, body: unknown) => {
    const r = await post(path, body);
    if (r.status !== 200) throw new Error(`${path} -> ${r.status} ${JSON.stringify(r.body)}`);
    return (await result(r.body.request_id)).body;
  };
  return { call, post, result, submit };
}

function safeJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function withEmulator<T>(
  options: EmulatorOptions,
  fn: (e: RunningEmulator) => Promise<T>,
): Promise<T> {
  const emulator = await startEmulator(options);
  try {
    return await fn(emulator);
  } finally {
    await emulator.close();
  }
}

export { bytes, nextBytes, textDatum } from './support/text-datum.js';

export async function openModel(api: ReturnType<typeof client>, rank = 8) {
  const session = (await api.post('create_session', { tags: [], user_metadata: {}, sdk_version: '0.7.0' }))
    .body.session_id;
  const created = await api.submit('create_model', {
    session_id: session,
    model_seq_id: 0,
    base_model: 'meta-llama/Llama-3.2-1B',
    user_metadata: null,
    lora_config: { rank, seed: null, train_unembed: true, train_mlp: true, train_attn: true },
  });
  return { session, modelId: created.model_id as string };
}

/** A session and a sampling session on the base model: the sampling session's id. */
export async function openSampler(api: ReturnType<typeof client>): Promise<string> {
  const session = (await api.post('create_session', { tags: [], sdk_version: '0' })).body.session_id;
  const sampler = await api.post('create_sampling_session', {
    session_id: session,
    sampling_session_seq_id: 0,
    base_model: 'meta-llama/Llama-3.2-1B',
  });
  return sampler.body.sampling_session_id as string;
}
