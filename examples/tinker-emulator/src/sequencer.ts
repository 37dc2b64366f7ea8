import { realTimer, type After } from './timers.js';

/**
 * Per-model seq_id ordering. A request runs only after its predecessors; an early one waits; a repeated
 * seq_id returns the first request's future id and is never applied twice.
 *
 * Gaps: the SDKs reserve a seq_id when an operation is called and burn it when its submission fails for
 * good (the Python SDK's turn counter advances on failure too), so the server must not wait forever for
 * an id that will never come. An id the server rejected (4xx) is passed over at once; an id it never
 * received is passed over once a later request has waited `gapMs` for it. A request that arrives with
 * an id already passed over is refused, so it can never be applied out of order.
 */
export class Sequencer {
  private next = 1;
  private readonly seen = new Map<number, string>();
  private readonly waiting = new Map<number, () => void>();
  private readonly passedOver = new Set<number>();
  private cancelGap: (() => void) | undefined;
  /** The missing seq_id the armed timer waits for. */
  private gapFor = 0;

  constructor(
    first = 1,
    private readonly gapMs = 10_000,
    /** The emulator's clock (`TimerSet.after`): fake time drives the gap, `close()` cancels it. */
    private readonly after: After = realTimer,
  ) {
    this.next = first;
  }

  /** The request id already assigned to this seq_id, if it is a duplicate. */
  duplicate(seqId: number): string | undefined {
    return this.seen.get(seqId);
  }

  /** Whether this seq_id was passed over (rejected, or waited for in vain): too late to run now. */
  skipped(seqId: number): boolean {
    return this.passedOver.has(seqId);
  }

  /** Register a new seq_id; `run` is called (synchronously, or later) once it is this seq_id's turn. */
  submit(seqId: number, requestId: string, run: () => void): void {
    this.seen.set(seqId, requestId);
    if (seqId < this.next) {
      // Below the expected sequence without a record: treat as already past; run in arrival order.
      run();
      return;
    }
    this.waiting.set(seqId, run);
    this.drain();
  }

  /** The server refused the request carrying this seq_id (4xx): later ids need not wait for it. */
  reject(seqId: number): void {
    if (seqId < this.next || this.seen.has(seqId)) return;
    this.passedOver.add(seqId);
    this.drain();
  }

  private drain(): void {
    for (;;) {
      const run = this.waiting.get(this.next);
      if (run) {
        this.waiting.delete(this.next++);
        run();
      } else if (this.passedOver.has(this.next)) {
        this.next++;
      } else {
        break;
      }
    }
    this.armGapTimer();
  }

  /** While a request is held for a missing predecessor, give the predecessor `gapMs` to arrive. */
  private armGapTimer(): void {
    if (this.cancelGap && this.gapFor === this.next && this.waiting.size > 0) return;
    this.cancelGap?.();
    this.cancelGap = undefined;
    if (this.waiting.size === 0) return;
    this.gapFor = this.next;
    this.cancelGap = this.after(this.gapMs, () => {
      this.cancelGap = undefined;
      const first = Math.min(...this.waiting.keys());
      for (let id = this.next; id < first; id++) if (!this.seen.has(id)) this.passedOver.add(id);
      this.drain();
    });
  }

  /** Seq ids held back waiting for predecessors. */
  get held(): number[] {
    return [...this.waiting.keys()].sort((a, b) => a - b);
  }
}
