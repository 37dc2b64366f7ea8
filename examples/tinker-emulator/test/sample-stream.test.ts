import { afterEach, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { startEmulator, type RunningEmulator } from '../src/index.js';
import { TOKENS_PER_TURN } from '../src/routes/sample-stream.js';
import { KEY, client, openSampler } from './helpers.js';

/*
 * Found by hand: `stream_sample` sampled the whole sequence, one buffered string per token, before its
 * first byte. A stream could not be cut mid-way, a client that left did not stop the sampling, and
 * max_tokens 5,000,000 took 4.7 GB. It now writes each token as it is sampled.
 */
let emulator: RunningEmulator | undefined;
const requests: ClientRequest[] = [];
afterEach(async () => {
  for (const req of requests.splice(0)) req.destroy();
  await emulator?.close();
  emulator = undefined;
});

// As long as the model's context allows (131,072 with the prompt): some 5 MB of events, far beyond any buffer.
const LONG = 131_000;
const body = (sampler: string, max_tokens: number, extra: Record<string, unknown> = {}) => ({
  prompt: { chunks: [{ tokens: [72, 105] }] },
  sampling_params: { max_tokens, seed: 11, ...extra },
  sampling_session_id: sampler,
  seq_id: 0,
});

/** Open a stream on a raw socket (the test decides when to read and when to leave). */
async function openStream(emu: RunningEmulator, payload: unknown) {
  const req: ClientRequest = request(`${emu.url}/api/v1/stream_sample`, {
    method: 'POST',
    headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
    agent: false, // a socket of its own, not kept alive after the test
  });
  requests.push(req);
  req.on('error', () => {}); // destroyed on purpose
  req.end(JSON.stringify(payload));
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  res.setEncoding('utf8');
  return { req, res };
}

async function start() {
  emulator = await startEmulator({ seed: 3 });
  const api = client(emulator);
  return { emu: emulator, api, sampler: await openSampler(api) };
}

/** Every event of a finished stream, parsed. */
function events(text: string): unknown[] {
  return text
    .split('\n\n')
    .filter((e) => e.trim() !== '')
    .map((e) => {
      const data = e
        .split('\n')
        .find((l) => l.startsWith('data: '))!
        .slice(6);
      return data === '[DONE]' ? '[DONE]' : JSON.parse(data);
    });
}

describe('stream_sample streams', () => {
  it('sends the same tokens, logprobs and response as asample, in the same wire format', async () => {
    const { emu, api, sampler } = await start();
    for (const params of [{}, { temperature: 0.7, top_k: 20 }, { temperature: 0 }, { stop: [101] }]) {
      const asked = { ...body(sampler, 300, params), prompt_logprobs: true };
      const expected = await api.submit('asample', asked);
      const { res } = await openStream(emu, asked);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/event-stream');
      let text = '';
      for await (const chunk of res) text += chunk;
      const [sequence] = expected.sequences;
      const tokenEvents = sequence.tokens.map((token: number, index: number) => ({
        type: 'token',
        index,
        token,
        logprob: sequence.logprobs[index],
      }));
      // The prompt cache remembers the asample's prompt: the stream's hit is the one field that differs.
      const response = { ...expected, prompt_cache_hit_tokens: expect.any(Number) };
      expect(events(text)).toEqual([...tokenEvents, { type: 'done', response }, '[DONE]']);
      expect(text.startsWith(`id: 0\ndata: {"type":"token","index":0,`)).toBe(true);
    }
  });

  it('sends its first token long before the last, and serves other requests meanwhile', async () => {
    const { emu, api, sampler } = await start();
    const { req, res } = await openStream(emu, body(sampler, LONG));
    const [first] = (await once(res, 'data')) as [string];
    expect(first).toMatch(/^id: 0\ndata: \{"type":"token"/);
    // A concurrent sample is answered while this stream is still sampling.
    const other = await api.submit('asample', { ...body(sampler, 8), seq_id: 1 });
    expect(other.sequences[0].tokens).toHaveLength(8);
    expect(emu.state.sampleStreams.open).toBe(1);
    expect(emu.state.sampleStreams.tokens).toBeLessThan(LONG);
    req.destroy();
    await emu.state.sampleStreams.whenIdle();
  });

  it('stops sampling as soon as its client goes away', async () => {
    const { emu, sampler } = await start();
    const { req, res } = await openStream(emu, body(sampler, LONG));
    let seen = '';
    for await (const chunk of res) {
      seen += chunk as string;
      if ((seen.match(/\n\n/g) ?? []).length >= 3) break; // leaving the loop destroys the response
    }
    req.destroy();
    await emu.state.sampleStreams.whenIdle();
    const stats = emu.state.sampleStreams;
    expect({ open: stats.open, finished: stats.finished, abandoned: stats.abandoned }).toEqual({
      open: 0,
      finished: 0,
      abandoned: 1,
    });
    const sampled = stats.tokens;
    expect(sampled).toBeLessThan(LONG);
    // Nothing more runs for the gone client.
    await new Promise((resolve) => setImmediate(resolve));
    expect(stats.tokens).toBe(sampled);
  });

  it('waits for a slow reader instead of buffering the stream', async () => {
    const { emu, sampler } = await start();
    const { req, res } = await openStream(emu, body(sampler, LONG));
    res.pause();
    await once(emu.state.sampleStreams, 'blocked');
    const stats = emu.state.sampleStreams;
    // About one turn (some 5 KB) beyond the response's high-water mark, whatever max_tokens is.
    expect(stats.highWaterMark).toBeGreaterThan(0);
    expect(stats.peakQueuedBytes).toBeLessThan(stats.highWaterMark + 16 * 1024);
    expect(stats.tokens).toBeLessThan(LONG);
    // Reading again resumes the sampling: an event sampled after the block arrives.
    const next = `"index":${stats.tokens},`;
    let tail = '';
    for await (const chunk of res) {
      tail = tail.slice(-next.length) + (chunk as string);
      if (tail.includes(next)) break;
    }
    req.destroy();
    await stats.whenIdle();
    expect(stats.abandoned).toBe(1);
  });

  it('chaos truncate cuts the stream after its first write, before done', async () => {
    const { emu, sampler } = await start();
    emu.setChaos('truncate=1;scope=sampling');
    const { res } = await openStream(emu, body(sampler, 300));
    let text = '';
    const error = await (async () => {
      for await (const chunk of res) text += chunk as string;
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ECONNRESET' });
    const got = events(text);
    expect(got.map((e) => (e as { index: number }).index)).toEqual(
      Array.from({ length: TOKENS_PER_TURN }, (_, i) => i),
    );
    await emu.state.sampleStreams.whenIdle();
    expect(emu.state.sampleStreams.tokens).toBe(TOKENS_PER_TURN);
  });

  it('still answers a bad request with an HTTP error before any event', async () => {
    const { api } = await start();
    const answer = await api.post('stream_sample', body('nope:sample:0', 8));
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ detail: 'sampler nope:sample:0 not found', field: 'sampling_session_id' });
  });
});
