import type { ServerResponse } from 'node:http';
import type { SequenceSteps } from '../model/sampler.js';
import type { SampleStreamStats } from '../stream-stats.js';

/**
 * Tokens sampled between two turns of the event loop. A turn of 64 takes about a tenth of a millisecond
 * with its events (a million tokens stream in about 2 s: docs/performance-notes.md, round 24 notes), so other
 * requests wait no longer than that for a stream, and one write per turn (about 5 KB) costs the socket
 * little.
 */
export const TOKENS_PER_TURN = 64;

const tokenEvent = (index: number, token: number, logprob: number) =>
  `id: ${index}\ndata: ${JSON.stringify({ type: 'token', index, token, logprob })}\n\n`;

/**
 * Write a stream's token events as they are sampled: `TOKENS_PER_TURN` at a time, yielding to the event
 * loop in between, waiting for `drain` when the socket is behind (so a slow reader holds at most about
 * one turn beyond the response's high-water mark), and stopping at once when the client goes away.
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
  res.once('close', () => {
    gone = true;
    // `close` also follows a normal end; before it, the client went away mid-stream.
    stats.ended(complete);
  });
  stats.started();
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const { tokens, logprobs } = steps.result;
  // Past the first byte an error can no longer be an HTTP answer: the client sees the stream cut.
  const turn = () => {
    if (gone) return;
    try {
      write();
    } catch {
      res.destroy();
    }
  };
  const write = () => {
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
      stats.waitsForDrain(res.writableLength, res.writableHighWaterMark);
    }
  };
  turn();
}
