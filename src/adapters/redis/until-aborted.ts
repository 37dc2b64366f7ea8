import { onAbort } from '../../kernel/signals/on-abort.js';
import { sleepAborted } from '../clock/system-clock.js';

/**
 * A command already on the wire, ended at once by the caller's `signal`: a slow or frozen Redis
 * (CLIENT PAUSE, DEBUG SLEEP, SIGSTOP) held a caller past its signal until the command timed out
 * (`commandTimeoutMs`). Redis may still run the command, so `abandoned` is handed it, to undo what it
 * did once it settles (leave a queue, refund a token, hand a trial on).
 */
export function untilAborted<T>(
  asked: Promise<T>,
  signal: AbortSignal | undefined,
  abandoned: (asked: Promise<T>) => void,
): Promise<T> {
  if (!signal) return asked;
  return new Promise((resolve, reject) => {
    let settled = false;
    let stop = () => {};
    const giveUp = () => {
      if (settled) return;
      settled = true;
      abandoned(asked);
      reject(sleepAborted(signal));
    };
    const settle = (then: () => void) => {
      stop();
      if (settled) return;
      settled = true;
      then();
    };
    // Observed before any early give-up: a command that fails after its caller left must not be an
    // unhandled rejection (`abandoned` need not handle every command it is given).
    asked.then(
      (value) => settle(() => resolve(value)),
      (error: unknown) => settle(() => reject(error)),
    );
    if (signal.aborted) giveUp();
    else stop = onAbort(signal, giveUp);
  });
}
