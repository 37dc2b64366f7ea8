import { EventEmitter } from 'node:events';

/**
 * What the SSE extension's streams did (`state.sampleStreams`): tests observe through it that a stream
 * whose client went away stopped sampling, and that one kept its buffered bytes bounded.
 */
export class SampleStreamStats extends EventEmitter<{ blocked: []; idle: [] }> {
  /** Streams writing now. */
  open = 0;
  /** Streams that wrote their `done` event and `[DONE]`. */
  finished = 0;
  /** Streams whose client went away (or whose socket was destroyed) before their end: sampling stopped. */
  abandoned = 0;
  /** Tokens sampled by every stream, finished or not. */
  tokens = 0;
  /** Largest `writableLength` (bytes queued in the response, not yet taken by the socket) seen. */
  peakQueuedBytes = 0;
  /** `writableHighWaterMark` of the last response that waited for `drain` (16 KiB on Node 20, 64 KiB on 22+). */
  highWaterMark = 0;
  started(): void {
    this.open++;
  }

  ended(finished: boolean): void {
    this.open--;
    if (finished) this.finished++;
    else this.abandoned++;
    if (this.open === 0) this.emit('idle');
  }

  /** A stream waits for `drain`: its reader is behind (emits `blocked`). */
  waitsForDrain(queuedBytes: number, highWaterMark: number): void {
    this.peakQueuedBytes = Math.max(this.peakQueuedBytes, queuedBytes);
    this.highWaterMark = highWaterMark;
    this.emit('blocked');
  }

  /** Resolves once no stream is open (at once if none is). */
  whenIdle(): Promise<void> {
    return this.open === 0 ? Promise.resolve() : new Promise((resolve) => this.once('idle', resolve));
  }
}
