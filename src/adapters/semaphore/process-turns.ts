import { abortErrorFor } from '../../kernel/signals/abort-error-for.js';
import { onAbort } from '../../kernel/signals/on-abort.js';

/**
 * One turn at a time among a process's waiters, in arrival order: the shared semaphore lets only the
 * waiter holding the turn ask Redis, so the fleet's queue holds one waiter per process, grants within a
 * process keep arrival order, and Redis sees one poller per process rather than one per waiter.
 */
export class ProcessTurns {
  /** Waiters behind the one holding the turn. */
  private readonly line: (() => void)[] = [];
  private taken = false;

  /** Resolves when it is this caller's turn; rejects (leaving the line) when `signal` aborts first. */
  take(signal: AbortSignal | undefined): Promise<void> {
    if (!this.taken) {
      this.taken = true;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const go = () => {
        unsubscribe?.();
        resolve();
      };
      const unsubscribe =
        signal &&
        onAbort(signal, () => {
          const index = this.line.indexOf(go);
          if (index !== -1) this.line.splice(index, 1);
          reject(abortErrorFor(signal));
        });
      this.line.push(go);
    });
  }

  /** The turn goes to the next in line, or back to free. */
  pass(): void {
    const next = this.line.shift();
    if (next) next();
    else this.taken = false;
  }
}
