import { describe, expect, it } from '@jest/globals';
import { KEY, client, openModel, withEmulator } from './helpers.js';
import { ManualClock } from './support/manual-clock.js';

const SESSION = JSON.stringify({ tags: [], user_metadata: {}, sdk_version: '0.25.0' });

/** A POST of `body` with exactly the given Content-Type (none when undefined). */
async function post(url: string, path: string, body: string, contentType: string | undefined) {
  const res = await fetch(`${url}/api/v1/${path}`, {
    method: 'POST',
    // Bytes, so that fetch adds no Content-Type of its own (a string body gets text/plain).
    body: new TextEncoder().encode(body),
    headers: { 'x-api-key': KEY, ...(contentType === undefined ? {} : { 'content-type': contentType }) },
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

/**
 * The real service is FastAPI: a route's Pydantic body is parsed as JSON only when the Content-Type says
 * JSON (`application/json`, or `application/*+json`, parameters allowed); any other body, one without a
 * Content-Type included (FastAPI's default `strict_content_type`), is bytes and fails validation with 422.
 * The emulator read every body as JSON, so a client that sent the wrong Content-Type passed here and
 * failed against the service.
 */
describe('request bodies that do not say JSON', () => {
  const REFUSED = {
    detail: [
      {
        type: 'model_attributes_type',
        loc: ['body'],
        msg: 'Input should be a valid dictionary or object to extract fields from',
      },
    ],
  };

  it.each([['text/plain'], ['text/plain;charset=UTF-8'], ['application/octet-stream'], [undefined]])(
    'a JSON body sent as %s is a 422 and does nothing',
    (contentType) =>
      withEmulator({}, async (emu) => {
        const answer = await post(emu.url, 'create_session', SESSION, contentType);
        expect(answer).toEqual({ status: 422, body: REFUSED });
        expect(emu.state.sessions.size).toBe(0);
      }),
  );

  it.each([
    ['application/json'],
    ['application/json; charset=utf-8'],
    ['Application/JSON'],
    ['application/vnd.x+json'],
  ])('a JSON body sent as %s is read', (contentType) =>
    withEmulator({}, async (emu) => {
      expect((await post(emu.url, 'create_session', SESSION, contentType)).status).toBe(200);
    }),
  );

  it('a refused training request is a seq_id never received: passed over after sequenceGapMs', async () => {
    // FastAPI refuses the body before the handler reads it, so the service never learns its seq_id.
    const clock = new ManualClock();
    await withEmulator({ clock, longPollMs: 0, sequenceGapMs: 60_000 }, async (emu) => {
      const api = client(emu);
      const { modelId } = await openModel(api);
      const optim = (seq_id: number) =>
        JSON.stringify({ adam_params: { learning_rate: 1e-4 }, model_id: modelId, seq_id });
      expect((await post(emu.url, 'optim_step', optim(1), 'text/plain')).status).toBe(422);
      const next = await post(emu.url, 'optim_step', optim(2), 'application/json');
      expect(emu.state.appliedSteps(modelId)).toEqual([]);
      clock.advance(60_000);
      const done = await api.result((next.body as { request_id: string }).request_id);
      expect(done.body.type).toBe('optim_step');
      expect(emu.state.appliedSteps(modelId)).toEqual([2]);
    });
  });

  it('a bodyless POST needs no Content-Type (publish sends Content-Length: 0)', () =>
    withEmulator({}, async (emu) => {
      const res = await fetch(`${emu.url}/api/v1/auth/token`, {
        method: 'POST',
        headers: { 'x-api-key': KEY },
      });
      expect(res.status).toBe(200);
    }));
});
