/**
 * Per-model seq_id ordering. A request runs only after its predecessors; an early one waits; a repeated
 * seq_id returns the first request's future id and is never applied twice.
 */
export class Sequencer {
  private next = 1;
  private readonly seen = new Map<number, string>();
  private readonly waiting = new Map<number, () => void>();

  constructor(first = 1) {
    this.next = first;
  }

  /** The request id already assigned to this seq_id, if it is a duplicate. */
  duplicate(seqId: number): string | undefined {
    return this.seen.get(seqId);
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

  private drain(): void {
    for (let run = this.waiting.get(this.next); run; run = this.waiting.get(this.next)) {
      this.waiting.delete(this.next);
      this.next++;
      run();
    }
  }

  /** Seq ids held back waiting for predecessors. */
  get held(): number[] {
    return [...this.waiting.keys()].sort((a, b) => a - b);
  }
}
