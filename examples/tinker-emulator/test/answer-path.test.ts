import { describe, expect, it } from '@jest/globals';
import net from 'node:net';
import { TEXT_BODY_MAX_BYTES } from '../src/http-util.js';
import { KEY, withEmulator } from './helpers.js';
import { decodeSampleResponse } from './support/proto.js';

const PROTOBUF = 'application/x-protobuf';

interface Exchange {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * One keep-alive connection, requests sent one after another and each answer read by its
 * `Content-Length`: the head and body as they came off the socket.
 */
function connection(url: string) {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  let buffered = Buffer.alloc(0);
  let waiting: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    waiting?.();
  });
  const more = () => new Promise<void>((resolve) => (waiting = resolve));
  const send = async (path: string, body: unknown, accept?: string): Promise<Exchange> => {
    const text = JSON.stringify(body);
    socket.write(
      `POST /api/v1/${path} HTTP/1.1\r\nhost: x\r\nx-api-key: ${KEY}\r\ncontent-type: application/json\r\n` +
        `${accept ? `accept: ${accept}\r\n` : ''}content-length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
    );
    while (buffered.indexOf('\r\n\r\n') === -1) await more();
    const end = buffered.indexOf('\r\n\r\n');
    const lines = buffered.subarray(0, end).toString('latin1').split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers['content-length']);
    while (buffered.length < end + 4 + length) await more();
    const answer = buffered.subarray(end + 4, end + 4 + length);
    buffered = buffered.subarray(end + 4 + length);
    return { status: Number(lines[0].split(' ')[1]), headers, body: Buffer.from(answer) };
  };
  return { send, close: () => socket.destroy() };
}

const json = (exchange: Exchange) => JSON.parse(exchange.body.toString('utf8'));
const int32s = (bytes: Uint8Array) => [...new Int32Array(new Uint8Array(bytes).buffer)];

describe('JSON and protobuf answers through one send path (server.ts)', () => {
  it('alternates them on one keep-alive connection, each with its own type, length, bytes and log entry', async () => {
    await withEmulator({ seed: 3 }, async (emu) => {
      const http = connection(emu.url);
      try {
        const session = json(await http.send('create_session', { tags: [], sdk_version: '0.25.0' }));
        const sampler = json(
          await http.send('create_sampling_session', {
            session_id: session.session_id,
            sampling_session_seq_id: 0,
            base_model: 'meta-llama/Llama-3.2-1B',
          }),
        );
        const sample = async (seq: number, prompt: number[], promptLogprobs: boolean) => {
          const submitted = await http.send('asample', {
            prompt: { chunks: [{ type: 'encoded_text', tokens: prompt }] },
            num_samples: 1,
            sampling_params: { max_tokens: 6, seed: seq },
            sampling_session_id: sampler.sampling_session_id,
            seq_id: seq,
            prompt_logprobs: promptLogprobs,
          });
          expect(submitted.headers['content-type']).toBe('application/json');
          const id = json(submitted).request_id as string;
          let proto: Exchange;
          do proto = await http.send('retrieve_future', { request_id: id }, PROTOBUF);
          while (proto.headers['content-type'] === 'application/json' && json(proto).type === 'try_again');
          // The same result polled again (kept after delivery), as JSON this time.
          const plain = await http.send('retrieve_future', { request_id: id });
          return { proto, plain: json(plain), plainType: plain.headers['content-type'] };
        };

        // A fan-out's small result (its latin1 text) and one above the text bound (the Buffer itself).
        const small = await sample(0, [72, 105], false);
        const long = Array.from({ length: TEXT_BODY_MAX_BYTES / 4 + 10 }, (_, i) => 32 + (i % 90));
        const large = await sample(1, long, true);
        for (const { proto, plain, plainType } of [small, large]) {
          expect(proto.status).toBe(200);
          expect(proto.headers['content-type']).toBe(PROTOBUF);
          expect(Number(proto.headers['content-length'])).toBe(proto.body.length);
          expect(plainType).toBe('application/json');
          const message = decodeSampleResponse(proto.body);
          expect(int32s(message.sequences[0].tokens)).toEqual(plain.sequences[0].tokens);
        }
        expect(small.proto.body.length).toBeLessThanOrEqual(TEXT_BODY_MAX_BYTES);
        expect(large.proto.body.length).toBeGreaterThan(TEXT_BODY_MAX_BYTES);
        expect(large.plain.prompt_logprobs).toHaveLength(long.length);

        // Every answer logged once, with the type it went out as.
        const log = emu.requestLog().filter((r) => r.path !== '/api/v1/create_session');
        const polls = log.filter((r) => r.path === '/api/v1/retrieve_future');
        expect(polls.filter((r) => r.response_content_type === PROTOBUF)).toHaveLength(2);
        expect(
          polls.filter((r) => r.response_content_type === 'application/json').length,
        ).toBeGreaterThanOrEqual(2);
        expect(log.filter((r) => r.path === '/api/v1/asample').map((r) => r.response_content_type)).toEqual([
          'application/json',
          'application/json',
        ]);
      } finally {
        http.close();
      }
    });
  });
});
