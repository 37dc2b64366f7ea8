import { describe, expect, it } from '@jest/globals';
import { client, KEY, openModel, withEmulator } from './helpers.js';
import { decodeFwdBwdOutput, fwdBwdRequest, protoDatum, zstd } from './support/proto.js';

const PROTOBUF = 'application/x-protobuf';
const TEXT = 'The quick brown fox jumps over the lazy dog. ';

/** A 0.25-style training loop over raw HTTP that retries what a client retries (same bytes, same seq_id). */
async function train(chaos: string | undefined) {
  return withEmulator({ seed: 11, chaos, longPollMs: 0 }, async (emu) => {
    const api = client(emu);
    const { modelId } = await openModel(api);
    const send = async (path: string, body: Buffer | string, headers: Record<string, string>) => {
      for (let attempt = 0; attempt < 200; attempt++) {
        try {
          const res = await fetch(`${emu.url}/api/v1/${path}`, {
            method: 'POST',
            headers: { 'x-api-key': KEY, ...headers },
            body: typeof body === 'string' ? body : new Uint8Array(body),
          });
          const data = Buffer.from(await res.arrayBuffer());
          if (res.status >= 500 || res.status === 429) continue;
          const type = res.headers.get('content-type') ?? '';
          if (type.includes('json')) {
            const json = JSON.parse(data.toString());
            if (json.type === 'try_again') continue;
            return { status: res.status, json };
          }
          return { status: res.status, data };
        } catch {
          // reset or truncated: retry
        }
      }
      throw new Error(`${path} kept failing`);
    };
    const losses: number[] = [];
    for (let seq = 1; seq <= 12; seq += 2) {
      const bytes = await zstd(
        fwdBwdRequest({ model_id: modelId, seq_id: seq, data: [protoDatum(TEXT)], loss_fn: 'cross_entropy' }),
      );
      const submit = await send('forward_backward', bytes, {
        'content-type': PROTOBUF,
        'content-encoding': 'zstd',
      });
      if (submit.status !== 200) throw new Error(JSON.stringify(submit));
      const poll = JSON.stringify({ request_id: submit.json.request_id, allow_metadata_only: true });
      const result = await send('retrieve_future', poll, {
        'content-type': 'application/json',
        accept: PROTOBUF,
      });
      if (!result.data) throw new Error(JSON.stringify(result));
      losses.push(decodeFwdBwdOutput(result.data).metrics['loss:sum']);
      const optim = JSON.stringify({
        adam_params: { learning_rate: 1e-4 },
        model_id: modelId,
        seq_id: seq + 1,
      });
      const step = await send('optim_step', optim, { 'content-type': 'application/json' });
      const stepPoll = JSON.stringify({ request_id: step.json.request_id });
      await send('retrieve_future', stepPoll, { 'content-type': 'application/json' });
    }
    return {
      losses,
      applied: emu.state.appliedSteps(modelId),
      faults: emu.requestLog().filter((r) => r.status === 0 || r.status >= 429).length,
    };
  });
}

describe('chaos in 0.25 mode (protobuf + zstd bodies, protobuf results)', () => {
  it('ends with the same losses as a clean run and every seq_id applied exactly once', async () => {
    const clean = await train(undefined);
    const chaotic = await train(
      '5xx=0.15,lost=0.15,reset=0.05;scope=training;truncate=0.2,429=0.1;scope=futures',
    );
    expect(chaotic.faults).toBeGreaterThan(5);
    expect(chaotic.applied).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(chaotic.losses).toEqual(clean.losses);
  });
});
