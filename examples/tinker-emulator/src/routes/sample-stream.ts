import type { ServerResponse } from 'node:http';
import type { SequenceSteps } from '../model/sampler.js';
import type { SampleStreamStats } from '../stream-stats.js';

/**
 * Tokens sampled between two turns of the event loop. A turn of 64 tokens takes some tens of microseconds
 * here (docs/emulator.md), so other requests wait no longer than that for a stream, and a write per
 * turn (about 4 KB) costs the socket little.
 */
export const TOKENS_PER_TURN = 64;

const tokenEvent = (index: number, token: number, logprob: number) =>
  `id: ${index}\ndata: ${JSON.stringify({ type: 'token', index, token, logprob })}\n\n`;

/**
 * Write a stream's token events as they are sampled: `TOKENS_PER_TURN` at a time, yielding to the event
 * loop in between, waiting for `drain` when the socket is behind (so a slow reader holds at most about
 * one turn beyond the socket's high-water mark), and stopping at once when the client goes away.
 * `response()` builds the `done` event's response once the sequence has ended; `cut` (chaos `truncate`)
 * drops the connection once the first turn's token events have left, before `done`.
 */
export function streamTokens(
  res: ServerResponse,
  steps: SequenceSteps,
  stats: SampleStreamStats,
  { response, cut }: { response: () => unknown; cut: boolean },
): void {
  let gone = false;
  let complete = false;
  let ended = false;
  const end = (finished: boolean) => {
    if (ended) return;
    ended = true;
    stats.ended(finished);
  };
  res.once('close', () => {
    gone = true;
    // `close` also follows a normal end; before it, the client went away mid-stream.
    end(complete);
  });
  stats.started();
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const { tokens, logprobs } = steps.result;
  const turn = () => {
    if (gone) return;
    let chunk = '';
    for (let n = 0; n < TOKENS_PER_TURN && steps.next(); n++) {
      const index = tokens.length - 1;
      chunk += tokenEvent(index, tokens[index], logprobs[index]);
      stats.tokens++;
    }
    if (cut) {
      res.write(chunk, () => res.destroy());
      return;
    }
    if (steps.done) {
      chunk += `data: ${JSON.stringify({ type: 'done', response: response() })}\n\n`;
      complete = true;
      res.end(`${chunk}data: [DONE]\n\n`);
      return;
    }
    if (res.write(chunk)) {
      stats.peakQueuedBytes = Math.max(stats.peakQueuedBytes, res.writableLength);
      setImmediate(turn);
    } else {
      res.once('drain', turn);
      stats.waitsForDrain(res.writableLength);
    }
  };
  turn();
}
